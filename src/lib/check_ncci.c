/*
 * check_ncci.c: MUEs, NCCI procedure-to-procedure pairs and add-on codes.
 * Not wired yet.
 */
#include "engine_int.h"

void mn_x__check_ncci(mn_lstate *s)
{
    (void)s;
}
