/*
 * check_rules.c: service rules from the rule packs (frequency, the
 * service's own age and sex limits, exclusions, setting). Not wired yet.
 */
#include "engine_int.h"

void mn_x__check_rules(mn_lstate *s)
{
    (void)s;
}
