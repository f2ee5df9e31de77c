/*
 * srules.c: service rules (frequency, age, sex, setting, exclusions) in
 * the knowledge base (extension sections). Not loaded yet: the writer adds
 * nothing and the checks find nothing.
 */
#include "kb_int.h"
#include "kbb.h"

int mn_x__srules_write(mn_kbb *b, void *state, mn_kb_sink *sink, mn_error *err)
{
    (void)b;
    (void)state;
    (void)sink;
    (void)err;
    return MN_OK;
}

int mn_x__srules_open(mn_kb *kb, mn_error *err)
{
    (void)kb;
    (void)err;
    return MN_OK;
}

void mn_x__srules_close(mn_kb *kb)
{
    (void)kb;
}
