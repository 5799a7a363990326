/* check_config.c: good configs, and each kind of bad one with its reason. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "config.h"

static char path[] = "/tmp/check_config.XXXXXX";

static struct config *
load_text(const char *text, char **cause)
{
	int fd = mkstemp(path);
	struct config *c;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	*cause = NULL;
	c = config_load(path, cause);
	unlink(path);
	strcpy(path, "/tmp/check_config.XXXXXX");
	return c;
}

static const char good[] =
    "; a hub\n"
    "[daemon]\n"
    "role = hub\n"
    "name = hub1\n"
    "local-address = 192.0.2.1, 2001:db8::1\n"
    "vxlan-port = 8472\n"
    "mac-age = 60\n"
    "\n"
    "[segment pod]\n"
    "vni = 100\n"
    "mtu = 1400\n"
    "bridge = br-pod\n"
    "\n"
    "[segment dmz]\n"
    "vni = 200\n"
    "tap = tap-dmz\n"
    "\n"
    "[peer cloud1]\n"
    "address = 198.51.100.7\n"
    "segments = pod\n"
    "\n"
    "[peer cloud2]\n"
    "address = 2001:db8::7\n"
    "encap = gre-udp\n"
    "port = 10000\n"
    "\n"
    "[peer cloud3]\n"
    "address = 198.51.100.7\n"
    "encap = gre\n";

START_TEST(good_config)
{
	char *cause;
	struct config *c = load_text(good, &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(c->daemon.role, ROLE_HUB);
	ck_assert_str_eq(c->daemon.name, "hub1");
	ck_assert_uint_eq(c->daemon.vxlan_port, 8472);
	ck_assert_uint_eq(c->daemon.greudp_port, 4754);
	ck_assert_uint_eq(c->daemon.mac_age, 60);
	ck_assert(c->daemon.relay);
	ck_assert_int_eq(c->daemon.local4.sa.sa_family, AF_INET);
	ck_assert_int_eq(c->daemon.local6.sa.sa_family, AF_INET6);
	ck_assert_int_eq(c->nsegments, 2);
	ck_assert_str_eq(c->segments[0].name, "pod");
	ck_assert_uint_eq(c->segments[0].vni, 100);
	ck_assert_int_eq(c->segments[0].mtu, 1400);
	ck_assert_str_eq(c->segments[0].tap, "tn-pod");
	ck_assert_str_eq(c->segments[0].bridge, "br-pod");
	ck_assert_str_eq(c->segments[1].tap, "tap-dmz");
	ck_assert_int_eq(c->segments[1].mtu, 1450);
	ck_assert_int_eq(c->npeers, 3);
	ck_assert_int_eq(c->peers[0].encap, ENCAP_VXLAN);
	ck_assert_uint_eq(ntohs(c->peers[0].addr.sin.sin_port), 8472);
	ck_assert_uint_eq(c->peers[0].segments, 1);
	ck_assert_int_eq(c->peers[1].encap, ENCAP_GREUDP);
	ck_assert_uint_eq(ntohs(c->peers[1].addr.sin6.sin6_port), 10000);
	ck_assert_uint_eq(c->peers[1].segments, 3);
	ck_assert_int_eq(c->peers[2].encap, ENCAP_GRE);
	config_free(c);
}
END_TEST

START_TEST(spoke_defaults)
{
	char *cause;
	struct config *c = load_text("[daemon]\nrole = spoke\n"
	    "[segment pod]\nvni = 1\n[peer hub]\naddress = 10.0.0.1\n", &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert(!c->daemon.relay);
	ck_assert_uint_eq(c->daemon.mac_age, 300);
	ck_assert_str_eq(c->daemon.control_socket, "/run/tunneld/tunneld.sock");
	config_free(c);
}
END_TEST

/* Each bad config and the text its error must contain (with the line). */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "[daemon]\nrole = hub\n", "no [segment NAME] section" },
	{ "[segment a]\nvni = 1\n", "no [daemon] section" },
	{ "[daemon]\nrole = router\n", ":2: [daemon] role: \"router\": must "
	    "be hub or spoke" },
	{ "[daemon]\nname = x\n", ":1: [daemon]: missing required key "
	    "\"role\"" },
	{ "[daemon]\nrole = hub\nfoo = 1\n", ":3: [daemon] foo: unknown key" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 16777216\n",
	    ":4: [segment a] vni: \"16777216\": out of range" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1x\n",
	    "vni: \"1x\": not a whole number" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = -1\n",
	    "not a whole number" },
	{ "[daemon]\nrole = hub\n[segment a]\n", ":3: [segment a]: missing "
	    "required key \"vni\"" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\ntap = a/b\n",
	    "tap: \"a/b\": interface names" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\ntap = "
	    "abcdefghijklmnop\n", "1 to 15 characters" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[segment b]\nvni = 1\n",
	    ":6: [segment b] vni: VNI 1 already used by segment a" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	    "example.com\n", ":6: [peer p] address: \"example.com\" is not a "
	    "numeric" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	    "10.0.0.1\nencap = ipip\n", "encap: \"ipip\": must be vxlan" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	    "10.0.0.1\nencap = gre\nport = 5\n", "GRE over IP has no port" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	    "10.0.0.1\nsegments = b\n", "no segment named \"b\"" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	    "10.0.0.1\n[peer q]\naddress = 10.0.0.1\n", ":8: [peer q] address:"
	    " peer p already has" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[vpn x]\n",
	    ":5: [vpn x]: unknown section" },
	{ "[daemon]\nrole = hub\nrole = spoke\n", ":3: [daemon] role: "
	    "written twice (first at line 2)" },
	{ "[daemon]\nrole = hub\nudp-checksum = maybe\n[segment a]\nvni = 1\n",
	    "udp-checksum: \"maybe\": not yes or no" },
	{ "[daemon]\nrole = hub\nvxlan-port = 4754\n[segment a]\nvni = 1\n",
	    "gre-udp-port: same port as vxlan-port" },
	{ "[daemon]\nrole = hub\nlocal-address = 1.2.3.4,5.6.7.8\n"
	    "[segment a]\nvni = 1\n", "more than one address of a family" },
	{ "[daemon]\nrole = hub\ncontrol-socket = run/x\n[segment a]\nvni = "
	    "1\n", "must be an absolute path" },
	{ "[daemon]\nrole = hub\n[segment a b]\nvni = 1\n", "bad segment "
	    "name" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\nmtu = 100\n",
	    "mtu: \"100\": out of range" },
	{ "[daemon\nrole = hub\n", "syntax error" },
	/* Found by fuzz_config: a section that iniparser files as a key. */
	{ "[daemon]\nrole = hub\n[daemon:role]\nvni = 1\n", ":3: "
	    "[daemon:role]: ':' in a section name" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[x:y]\n",
	    ":5: [x:y]: ':' in a section name" },
};

START_TEST(bad_config)
{
	char *cause;
	struct config *c = load_text(bad[_i].text, &cause);

	ck_assert_msg(c == NULL, "case %d loaded", _i);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, bad[_i].want) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, cause, bad[_i].want);
	ck_assert_msg(strncmp(cause, "/tmp/check_config.", 18) == 0,
	    "case %d: \"%s\" does not name the file", _i, cause);
	free(cause);
}
END_TEST

START_TEST(missing_file)
{
	char *cause = NULL;

	ck_assert_ptr_null(config_load("/nonexistent/tunneld.conf", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
}
END_TEST

START_TEST(compare)
{
	char *cause;
	struct config *a = load_text(good, &cause), *b = load_text(good, &cause);

	ck_assert(config_peer_equal(&a->peers[0], &b->peers[0], a, b));
	ck_assert(config_segment_equal(&a->segments[1], &b->segments[1]));
	ck_assert_ptr_null(config_restart_key(a, b));
	b->peers[0].addr.sin.sin_port = htons(1);
	ck_assert(!config_peer_equal(&a->peers[0], &b->peers[0], a, b));
	b->peers[1].segments = 1;
	ck_assert(!config_peer_equal(&a->peers[1], &b->peers[1], a, b));
	b->segments[0].mtu = 1300;
	ck_assert(!config_segment_equal(&a->segments[0], &b->segments[0]));
	b->daemon.vxlan_port = 1;
	ck_assert_str_eq(config_restart_key(a, b), "vxlan-port");
	config_free(a);
	config_free(b);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, good_config);
	tcase_add_test(tc, spoke_defaults);
	tcase_add_loop_test(tc, bad_config, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, compare);
	suite_add_tcase(s, tc);
	return s;
}
