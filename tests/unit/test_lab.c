/*
 * test_lab.c -- the lab's interfaces that need no daemon: its address
 * plan (lab/addr.h) and its probe statuses (lab/lab.h).  The running lab
 * is tested end to end (tests/e2e/lab.sh, the suite).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lab/addr.h"
#include "lab/lab.h"
#include "servers/faultdns.h"
#include "tests/unit/cu.h"

/* Every slot's addresses map back to that slot, on both families. */
static void
test_addr_plan_round_trip(void)
{
	static const int slots[] = { 0, 1, 255, 256, 259, 4095 };

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		unsigned char a4[4], a6[16];
		char *s4 = dl_lab_mail_addr4(slots[i], 3);
		char *s6 = dl_lab_mail_addr6(slots[i], 3);
		CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, s4, a4), 1);
		CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET6, s6, a6), 1);
		CU_ASSERT_EQUAL(dl_lab_addr_slot(a4, 4), slots[i]);
		CU_ASSERT_EQUAL(dl_lab_addr_slot(a6, 16), slots[i]);
		free(s4);
		free(s6);
	}
	char *b = dl_lab_mail_addr4(259, 1 + DL_LAB_BACKEND_OFFSET);
	CU_ASSERT_STRING_EQUAL(b, "127.17.3.129");
	free(b);
}

/* The lab's own addresses belong to no slot: no case owns their packets. */
static void
test_addr_plan_lab_own(void)
{
	const char *own4[] = { DL_LAB_RESOLVER, DL_LAB_NS4, DL_LAB_NS2, DL_LAB_FAULT,
	    DL_LAB_DEAD, DL_LAB_IDLE_SMTP, DL_UNTRUSTED_RESOLVER };
	unsigned char a[16];

	for (size_t i = 0; i < sizeof(own4) / sizeof(own4[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, own4[i], a), 1);
		CU_ASSERT_EQUAL(dl_lab_addr_slot(a, 4), -1);
	}
	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET6, DL_LAB_NS6, a), 1);
	CU_ASSERT_EQUAL(dl_lab_addr_slot(a, 16), -1);
	CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET6, DL_LAB_RESOLVER6, a), 1);
	CU_ASSERT_EQUAL(dl_lab_addr_slot(a, 16), -1);
}

/* One name table: every status parses back to itself; nothing else does. */
static void
test_status_names(void)
{
	enum dl_lab_status s;

	for (int i = 0; i < DL_LAB_STATUS_COUNT; i++) {
		const char *name = dl_lab_status_name((enum dl_lab_status)i);
		CU_ASSERT_STRING_NOT_EQUAL(name, "?");
		CU_ASSERT_EQUAL(dl_lab_status_parse(name, &s), 0);
		CU_ASSERT_EQUAL(s, i);
	}
	CU_ASSERT_EQUAL(dl_lab_status_parse("secrue", &s), -1);
	CU_ASSERT_EQUAL(dl_lab_status_parse("", &s), -1);
	CU_ASSERT_STRING_EQUAL(dl_lab_status_name(DL_LAB_STATUS_COUNT), "?");
	CU_ASSERT_STRING_EQUAL(dl_lab_status_name(DL_LAB_NODATA_SECURE), "nodata-secure");
}

/* One fault-action table, in the proxy: case code parses with it. */
static void
test_fault_actions(void)
{
	enum fdns_action a;

	for (int i = 0; i < FDNS_ACTION_COUNT; i++) {
		CU_ASSERT_EQUAL(fdns_action_parse(fdns_action_name((enum fdns_action)i), &a), 0);
		CU_ASSERT_EQUAL(a, i);
	}
	CU_ASSERT_EQUAL(fdns_action_parse("BOGUSTYPE", &a), -1);
}

static const struct cu_test tests[] = {
	{ "addr_plan_round_trip", test_addr_plan_round_trip },
	{ "addr_plan_lab_own", test_addr_plan_lab_own },
	{ "status_names", test_status_names },
	{ "fault_actions", test_fault_actions },
	{ NULL, NULL },
};

int
main(int argc, char **argv)
{
	return cu_main(argc, argv, "lab", tests);
}
