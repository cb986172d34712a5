/*
 * cmd_lab.c -- `danelab lab check` (the lab's self-check: every DNSSEC
 * mode and fault, proven through the lab resolver) and `danelab lab up ID`
 * (one case's world kept running for a person to poke at).
 */
#include <stdio.h>
#include <string.h>

#include "runner/cmd.h"

int
dl_cmd_lab(const struct dl_paths *p, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return dl_cmd_lab_check(p, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "up") == 0)
		return dl_cmd_lab_up(p, argc - 1, argv + 1);
	fprintf(stderr, "usage: danelab lab check [--now EPOCH] [--hold]\n"
	    "       danelab lab up ID-GLOB...\n");
	return DL_EXIT_USAGE;
}
