/* check_config.c: good configs, and each kind of bad one with its reason. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "ctl/config.h"

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
	c = config_load_flags(path, CONFIG_OFFLINE, cause);
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
    "busy-poll = 50\n"
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
	ck_assert_uint_eq(c->daemon.port[ENCAP_VXLAN], 8472);
	ck_assert_uint_eq(c->daemon.port[ENCAP_GREUDP], 4754);
	ck_assert_uint_eq(c->daemon.mac_age, 60);
	ck_assert_int_eq(c->daemon.busy_poll, 50);
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
#define ESP                                                                    \
	"[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "     \
	"10.0.0.1\nencrypt = yes\n"
#define KEY_A                                                                  \
	"0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20" \
	"212223"
#define KEY_B                                                                  \
	"303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051" \
	"5253"
#define MANUAL "keying = manual\nesp-spi-in = 0x1000\nesp-spi-out = 4097\n"
#define PROV "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[provider p]\n"

static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{ "[daemon]\nrole = hub\n", "no [segment NAME] section" },
	{ "[segment a]\nvni = 1\n", "no [daemon] section" },
	{ "[daemon]\nrole = router\n",
	    ":2: [daemon] role: \"router\": must "
	    "be hub or spoke" },
	{ "[daemon]\nname = x\n",
	    ":1: [daemon]: missing required key "
	    "\"role\"" },
	{ "[daemon]\nrole = hub\nfoo = 1\n", ":3: [daemon] foo: unknown key" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 16777216\n",
	    ":4: [segment a] vni: \"16777216\": out of range" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1x\n",
	    "vni: \"1x\": not a whole number" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = -1\n",
	    "not a whole number" },
	{ "[daemon]\nrole = hub\n[segment a]\n",
	    ":3: [segment a]: missing "
	    "required key \"vni\"" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\ntap = a/b\n",
	    "tap: \"a/b\": interface names" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\ntap = "
	  "abcdefghijklmnop\n",
	    "1 to 15 characters" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[segment b]\nvni = 1\n",
	    ":6: [segment b] vni: VNI 1 already used by segment a" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	  "example.com\n",
	    ":6: [peer p] address: \"example.com\" is not a "
	    "numeric" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	  "10.0.0.1\nencap = ipip\n",
	    "encap: \"ipip\": must be vxlan" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	  "10.0.0.1\nencap = gre\nport = 5\n",
	    "GRE over IP has no port" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	  "10.0.0.1\nsegments = b\n",
	    "no segment named \"b\"" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	  "10.0.0.1\n[peer q]\naddress = 10.0.0.1\n",
	    ":8: [peer q] address:"
	    " peer p already has" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[vpn x]\n",
	    ":5: [vpn x]: unknown section" },
	{ "[daemon]\nrole = hub\nrole = spoke\n",
	    ":3: [daemon] role: "
	    "written twice (first at line 2)" },
	{ "[daemon]\nrole = hub\nudp-checksum = maybe\n[segment a]\nvni = 1\n",
	    "udp-checksum: \"maybe\": not yes or no" },
	{ "[daemon]\nrole = hub\nvxlan-port = 4754\n[segment a]\nvni = 1\n",
	    "gre-udp-port: same port as vxlan-port" },
	{ "[daemon]\nrole = hub\nlocal-address = 1.2.3.4,5.6.7.8\n"
	  "[segment a]\nvni = 1\n",
	    "more than one address of a family" },
	{ "[daemon]\nrole = hub\ncontrol-socket = run/x\n[segment a]\nvni = "
	  "1\n",
	    "must be an absolute path" },
	{ "[daemon]\nrole = hub\n[segment a b]\nvni = 1\n",
	    "bad segment "
	    "name" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\nmtu = 100\n",
	    "mtu: \"100\": out of range" },
	{ "[daemon\nrole = hub\n", "syntax error" },
	{ "[daemon]\nrole = hub\nbusy-poll = 10001\n[segment a]\nvni = 1\n",
	    ":3: [daemon] busy-poll: \"10001\": out of range" },
	/* Found by fuzz_config: a section that iniparser files as a key. */
	{ "[daemon]\nrole = hub\n[daemon:role]\nvni = 1\n",
	    ":3: "
	    "[daemon:role]: ':' in a section name" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[x:y]\n",
	    ":5: [x:y]: ':' in a section name" },
	/* [peer] encryption */
	{ ESP,
	    ":7: [peer p] encrypt: keying = auto (the default) needs "
	    "[crypto] ca, cert and key, or a psk-file for this peer" },
	{ ESP "esp-spi-in = 300\n",
	    ":8: [peer p] esp-spi-in: set, but keying is auto" },
	{ ESP MANUAL "tls-name = hub\n",
	    ":11: [peer p] tls-name: set, but keying is manual" },
	{ ESP "psk-file = /etc/passwd\ntls-name = hub\n",
	    ":9: [peer p] tls-name: a peer with psk-file has no certificate" },
	{ ESP "psk-file = /etc/passwd\n",
	    ":8: [peer p] psk-file: /etc/passwd: must be owned by root or the "
	    "daemon user and not readable by group or others" },
	{ ESP "psk-file = /nonexistent\n",
	    ":8: [peer p] psk-file: /nonexistent: No such file" },
	{ "[daemon]\nrole = hub\n[crypto]\nca = /etc/passwd\n[segment a]\n"
	  "vni = 1\n",
	    ":3: [crypto] cert: missing: ca, cert and key go together" },
	{ "[daemon]\nrole = hub\n[crypto]\nrekey-time = 1s\n[segment a]\n"
	  "vni = 1\n",
	    ":4: [crypto] rekey-time: \"1s\": out of range" },
	{ "[daemon]\nrole = hub\n[crypto]\nrekey-packets = 99\n[segment a]\n"
	  "vni = 1\n",
	    ":4: [crypto] rekey-packets: \"99\": out of range" },
	{ "[daemon]\nrole = hub\n[crypto]\nkeys = x\n[segment a]\nvni = 1\n",
	    ":4: [crypto] keys: unknown key" },
	{ ESP "keying = ike\n",
	    ":8: [peer p] keying: \"ike\": must be auto "
	    "or manual" },
	{ ESP "keying = manual\n",
	    ":5: [peer p]: keying = manual needs "
	    "esp-spi-in, esp-spi-out, esp-key-in and esp-key-out; esp-spi-in "
	    "is missing" },
	{ ESP MANUAL "esp-key-in = " KEY_A "\n", "esp-key-out is missing" },
	{ ESP "keying = manual\nesp-spi-in = 255\nesp-spi-out = 4097\n"
	      "esp-key-in = " KEY_A "\nesp-key-out = " KEY_B "\n",
	    ":9: [peer p] "
	    "esp-spi-in: \"255\": an SPI is a number from 256" },
	{ ESP MANUAL "esp-key-in = 00ff\nesp-key-out = " KEY_B "\n",
	    ":11: "
	    "[peer p] esp-key-in: must be 72 hex digits (a 32-byte key, then "
	    "the 4-byte salt), not 4" },
	{ ESP MANUAL "esp-key-in = " KEY_A "\nesp-key-out = " KEY_A "\n",
	    ":12: [peer p] esp-key-out: the same key as esp-key-in" },
	{ ESP MANUAL "cipher = aes-128-cbc\nesp-key-in = " KEY_A
		     "\nesp-key-out = " KEY_B "\n",
	    ":11: [peer p] cipher: "
	    "\"aes-128-cbc\": must be aes-256-gcm or chacha20-poly1305" },
	{ ESP MANUAL "esp-key-in = " KEY_A "\nesp-key-out = " KEY_B "\n"
		     "[peer q]\naddress = 10.0.0.2\nencrypt = yes\n" MANUAL
		     "esp-key-in = " KEY_B "\nesp-key-out = " KEY_A "\n",
	    ":17: [peer q] "
	    "esp-spi-in: 0x00001000 is already peer p's" },
	{ "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[peer p]\naddress = "
	  "10.0.0.1\nesp-spi-in = 4096\n",
	    ":7: [peer p] esp-spi-in: set, but "
	    "encrypt is not yes" },
	{ "[daemon]\nrole = hub\nesp-port = 4789\n[segment a]\nvni = 1\n",
	    ":3: [daemon] esp-port: same port as vxlan-port" },
	{ "[daemon]\nrole = hub\nreplay-window = 32\n[segment a]\nvni = 1\n",
	    ":3: [daemon] replay-window: \"32\": out of range" },
	/* [provider NAME] */
	{ PROV "tag = a\n", ":5: [provider p]: missing required key \"type\"" },
	{ PROV "type = digitalocean\n",
	    ":6: [provider p] type: "
	    "\"digitalocean\" is not one of openstack, aws" },
	{ PROV "type = openstack\nauth-url = http://k/v3\nusername = u\n"
	       "password = x\nproject = p\n",
	    ":5: [provider p]: missing "
	    "required key \"tag\"" },
	{ PROV "type = openstack\ntag = a\nsecret-access-key = x\n",
	    ":8: [provider p] secret-access-key: unknown key" },
	{ PROV "type = openstack\ntag = a\n",
	    ":5: [provider p]: openstack "
	    "p: needs an http(s) auth URL" },
	{ PROV "type = static\naddress = floating\n",
	    ":7: [provider p] "
	    "address: must be private or public" },
	{ PROV "type = static\naddress-family = ipx\n",
	    ":7: [provider p] "
	    "address-family: must be ipv4, ipv6 or any" },
	{ PROV "type = static\ntag = =v\n",
	    ":7: [provider p] tag: must be "
	    "KEY or KEY=VALUE" },
	{ PROV "type = static\nrefresh = 0\n",
	    ":7: [provider p] refresh: "
	    "\"0\": out of range" },
	{ PROV "type = static\nsegments = b\n",
	    ":7: [provider p] segments: "
	    "no segment named \"b\"" },
	{ PROV "type = static\nencap = gre\nport = 9\n",
	    ":8: [provider p] "
	    "port: GRE over IP has no port" },
	{ PROV "type = static\ninstances = a=1.2.3.4 b\n",
	    ":5: [provider "
	    "p]: static p: \"b\" is not NAME=ADDRESS" },
	{ PROV "type = gce\ntag = a\nproject = p\nzones = "
	       "z0 z1 z2 z3 z4 z5 z6 z7 z8 z9 z10 z11 z12 z13 z14 z15 z16 z1"
	       "7 z18 z19 z20 z21 z22 z23 z24 z25 z26 z27 z28 z29 z30 z31 z3"
	       "2 z33 z34 z35 z36 z37 z38 z39 z40 z41 z42 z43 z44 z45 z46 z4"
	       "7 z48 z49 z50 z51 z52 z53 z54 z55 z56 z57 z58 z59 z60 z61 z6"
	       "2 z63 z64"
	       "\n",
	    ":5: "
	    "[provider p]: p: zones: more than 64 entries" },
	{ PROV "type = aws\ntag = a\nregion = x\ncredentials = /nonexistent"
	       "\n",
	    ":9: [provider p] credentials: /nonexistent: No such file" },
	{ PROV "type = gce\ntag = a\nkey-file = /nonexistent\n",
	    ":8: "
	    "[provider p] key-file: /nonexistent: No such file" },
	{ PROV "type = aws\ntag = a\nregion = x\ncredentials = /etc/passwd"
	       "\n",
	    "/etc/passwd: must be owned by root or the daemon user and "
	    "not readable by group or others" },
	{ PROV "type = static\nencrypt = yes\nkeying = manual\n",
	    ":8: [provider p] keying: a provider's peers are keyed by the "
	    "control connection" },
	{ PROV "type = static\nencrypt = yes\ntls-name = x\n",
	    ":8: [provider p] tls-name: names no single instance" },
	{ PROV "type = static\nencrypt = yes\n",
	    ":7: [provider p] encrypt: keying = auto (the default) needs "
	    "[crypto]" },
	{ PROV "type = aws\ntag = a\nregion = x\n[provider p2]\ntype = "
	       "static\n[provider p]\n",
	    ":11: [provider p]: written twice (first at line 5)" },
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

	ck_assert_ptr_null(config_restart_key(a, b));
	b->daemon.busy_poll = 0;
	ck_assert_str_eq(config_restart_key(a, b), "busy-poll");
	b->daemon.port[ENCAP_VXLAN] = 1;
	ck_assert_str_eq(config_restart_key(a, b), "vxlan-port");
	/* The sockets are made with it: a reload cannot change it. */
	config_free(b);
	b = load_text(good, &cause);
	ck_assert_ptr_null(config_restart_key(a, b));
	b->daemon.udp_checksum = !a->daemon.udp_checksum;
	ck_assert_str_eq(config_restart_key(a, b), "udp-checksum");
	config_free(b);
	b = load_text(good, &cause);
	strcpy(b->daemon.local_address, "192.0.2.7");
	ck_assert_str_eq(config_restart_key(a, b), "local-address");
	config_free(a);
	config_free(b);
}
END_TEST

/* iniparser repeats a bad line: one may hold a secret (review, finding 5). */
START_TEST(syntax_error_keeps_secrets)
{
	static const char text[] = "[daemon]\nrole = hub\n[provider p]\n"
				   "type = openstack\n"
				   "password SuperSecret-Pa55\n";
	char *cause = NULL;
	struct config *c = load_text(text, &cause);

	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(cause, ":5: syntax error") != NULL, "%s", cause);
	ck_assert_msg(strstr(cause, "SuperSecret") == NULL, "%s", cause);
	ck_assert_msg(strstr(cause, "iniparser") == NULL, "%s", cause);
	free(cause);
}
END_TEST

/*
 * etc/tunneld.conf says "Restart to change." in the comment of exactly the
 * [daemon] keys that a reload refuses to change, and documents every key.
 */
START_TEST(sample_says_which_keys_restart)
{
	const char *src = getenv("TEST_SRCDIR");
	char file[512], line[512], key[64], comment[2048] = "";
	int in_daemon = 0, seen = 0, r;
	FILE *f;

	ck_assert_ptr_nonnull(src);
	snprintf(file, sizeof file, "%s/etc/tunneld.conf", src);
	ck_assert_ptr_nonnull(f = fopen(file, "r"));
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '[') {
			in_daemon = strncmp(line, "[daemon]", 8) == 0;
			comment[0] = '\0';
		} else if (in_daemon &&
		    (sscanf(line, ";%63[a-z-] =", key) == 1 ||
			sscanf(line, "%63[a-z-] =", key) == 1)) {
			ck_assert_msg((r = config_key_restarts(key)) >= 0,
			    "sample documents unknown key %s", key);
			ck_assert_msg((strstr(comment, "Restart to change") !=
					  NULL) == (r == 1),
			    "%s: the sample says %s", key,
			    r ? "nothing of a restart" : "restart");
			comment[0] = '\0';
			seen++;
		} else if (in_daemon && line[0] == ';' &&
		    strlen(comment) + strlen(line) < sizeof comment)
			strcat(comment, line);
	}
	fclose(f);
	ck_assert_int_ge(seen, 19);
}
END_TEST

/* Write text to a new file of the given mode; its path (static). */
static const char *
write_file(const char *text, mode_t mode)
{
	static char fpath[64];
	int fd;

	strcpy(fpath, "/tmp/check_config_cred.XXXXXX");
	ck_assert_int_ge(fd = mkstemp(fpath), 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
	return fpath;
}

static const char os_provider[] =
    "[daemon]\nrole = hub\n[segment a]\nvni = 1\n[segment b]\nvni = 2\n"
    "[provider lab]\ntype = openstack\nauth-url = https://k:5000/v3\n"
    "username = u\nproject = p\ntag = tunneld=pod\naddress = public\n"
    "address-family = ipv6\nencap = gre-udp\nport = 9999\nsegments = b\n"
    "refresh = 30\ngrace = 90\ntimeout = 5\ncredentials = %s\n";

/* Load os_provider with a credentials file holding cred, of mode. */
static struct config *
load_with_cred(const char *cred, mode_t mode, char **cause)
{
	const char *f = write_file(cred, mode);
	char text[1024];
	struct config *c;

	snprintf(text, sizeof text, os_provider, f);
	c = load_text(text, cause);
	unlink(f);
	return c;
}

/*
 * Review, finding 10: a secret written in the config itself needs the
 * config to be private, as a credentials file must be.
 */
START_TEST(inline_secret_needs_a_private_config)
{
	static const char text[] =
	    "[daemon]\nrole = hub\n[segment a]\n"
	    "vni = 1\n[provider lab]\ntype = openstack\n"
	    "auth-url = https://k:5000/v3\nusername = u\n"
	    "project = p\ntag = t\npassword = s3cret\n";
	const char *f = write_file(text, 0644);
	char *cause = NULL;
	struct config *c;

	ck_assert_ptr_null(c = config_load(f, &cause));
	ck_assert_msg(strstr(cause,
			  ":11: [provider lab] password: a secret in") != NULL,
	    "%s", cause);
	ck_assert_ptr_null(strstr(cause, "s3cret"));
	free(cause);
	ck_assert_int_eq(chmod(f, 0600), 0);
	c = config_load(f, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	config_free(c);
	unlink(f);
}
END_TEST

/* Manual ESP keys: parsed as ip xfrm takes them, and never world-readable. */
START_TEST(peer_manual_keys)
{
	static const char text[] = ESP MANUAL "cipher = chacha20-poly1305\n"
					      "esp-key-in = " KEY_A "\n"
					      "esp-key-out = " KEY_B "\n";
	const char *f = write_file(text, 0600);
	char *cause = NULL;
	struct config *c = config_load_flags(f, CONFIG_OFFLINE, &cause);
	const struct cfg_crypto *cr;

	ck_assert_msg(c != NULL, "%s", cause);
	cr = &c->peers[0].crypto;
	ck_assert(cr->encrypt);
	ck_assert_int_eq(cr->keying, KEYING_MANUAL);
	ck_assert_int_eq(cr->cipher, ESP_CHACHA20_POLY1305);
	ck_assert_uint_eq(cr->spi_in, 0x1000);
	ck_assert_uint_eq(cr->spi_out, 4097);
	ck_assert_uint_eq(cr->key_in[0], 0x00);
	ck_assert_uint_eq(cr->key_in[35], 0x23);
	ck_assert_uint_eq(cr->key_out[0], 0x30);
	ck_assert_uint_eq(c->daemon.esp_port, 4500);
	ck_assert_uint_eq(c->daemon.replay_window, 8192);
	config_free(c);
	ck_assert_int_eq(chmod(f, 0644), 0);
	ck_assert_ptr_null(c = config_load_flags(f, CONFIG_OFFLINE, &cause));
	ck_assert_msg(strstr(cause, "esp-key-in: ESP keys in ") != NULL &&
		strstr(cause, "chmod 600") != NULL,
	    "%s", cause);
	ck_assert_ptr_null(strstr(cause, "0102030405"));
	free(cause);
	unlink(f);
}
END_TEST

/* keying = auto with a psk-file: 32 to 64 bytes of hex, a secrets file. */
START_TEST(peer_psk)
{
	static const char psk[] = "\n  000102030405060708090a0b0c0d0e0f"
				  "101112131415161718191a1b1c1d1e1f\n";
	char *pf = strdup(write_file(psk, 0600)), text[512], *cause = NULL;
	const char *f;
	struct config *c;

	snprintf(text, sizeof text, ESP "psk-file = %s\n", pf);
	f = write_file(text, 0644); /* no key in it: others may read it */
	c = config_load_flags(f, CONFIG_OFFLINE, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(c->peers[0].crypto.keying, KEYING_AUTO);
	ck_assert_uint_eq(c->peers[0].crypto.psk_len, 32);
	ck_assert_uint_eq(c->peers[0].crypto.psk[31], 0x1f);
	ck_assert_uint_eq(c->daemon.control_port, 4790);
	ck_assert_uint_eq(c->tls.rekey_ms, 3600000);
	ck_assert_uint_eq(c->tls.rekey_packets, 1u << 23);
	config_free(c);
	/* Too short, and then readable by others: refused, never quoted. */
	ck_assert_int_eq(truncate(pf, 40), 0);
	ck_assert_ptr_null(c = config_load_flags(f, CONFIG_OFFLINE, &cause));
	ck_assert_msg(strstr(cause, "must hold 32 to 64 bytes as hex") != NULL,
	    "%s", cause);
	ck_assert_ptr_null(strstr(cause, "0001020304"));
	free(cause);
	ck_assert_int_eq(chmod(pf, 0644), 0);
	ck_assert_ptr_null(c = config_load_flags(f, CONFIG_OFFLINE, &cause));
	ck_assert_msg(strstr(cause, ":8: [peer p] psk-file: ") != NULL &&
		strstr(cause, "chmod 600") != NULL,
	    "%s", cause);
	free(cause);
	unlink(f);
	unlink(pf);
	free(pf);
}
END_TEST

/* [peer] macs = : unicast MACs, at most CFG_MAX_PEER_MACS. */
START_TEST(peer_macs)
{
	static const char ok[] =
	    "[daemon]\nrole = hub\n[segment a]\nvni = 1\n"
	    "[peer p]\naddress = 192.0.2.5\n"
	    "macs = 02:00:00:00:00:01, 0a:bb:cc:dd:ee:ff\n";
	static const char mcast[] =
	    "[daemon]\nrole = hub\n[segment a]\nvni = 1\n"
	    "[peer p]\naddress = 192.0.2.5\n"
	    "macs = 01:00:5e:00:00:01\n";
	char *cause = NULL;
	struct config *c = load_text(ok, &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(c->peers[0].nmacs, 2);
	ck_assert_uint_eq(c->peers[0].macs[1][5], 0xff);
	config_free(c);
	ck_assert_ptr_null(load_text(mcast, &cause));
	ck_assert_msg(strstr(cause,
			  ":7: [peer p] macs: \"01:00:5e:00:00:01\" "
			  "is not a unicast MAC") != NULL,
	    "%s", cause);
	free(cause);
}
END_TEST

START_TEST(provider_section)
{
	char *cause;
	struct config *c = load_with_cred("password = s3cret\n", 0600, &cause),
	    *d;
	const struct cfg_provider *p;

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(c->nproviders, 1);
	p = &c->providers[0];
	ck_assert_str_eq(p->name, "lab");
	ck_assert_str_eq(p->type->type, "openstack");
	ck_assert_str_eq(p->tag_key, "tunneld");
	ck_assert_str_eq(p->tag_value, "pod");
	ck_assert(p->tag_has_value);
	ck_assert_int_eq(p->address, CFG_ADDR_PUBLIC);
	ck_assert_int_eq(p->family, AF_INET6);
	ck_assert_int_eq(p->encap, ENCAP_GREUDP);
	ck_assert_uint_eq(p->port, 9999);
	ck_assert_uint_eq(p->segments, 2);
	ck_assert_uint_eq(p->refresh_s, 30);
	ck_assert_uint_eq(p->grace_s, 90);
	ck_assert_uint_eq(p->timeout_s, 5);
	ck_assert_str_eq(provider_setting(&p->settings, "password"), "s3cret");
	ck_assert_str_eq(provider_setting(&p->settings, "username"), "u");
	ck_assert_ptr_null(provider_setting(&p->settings, "region"));
	d = load_with_cred("password = s3cret\n", 0400, &cause);
	ck_assert_msg(d != NULL, "%s", cause);
	ck_assert(config_provider_same_listing(p, &d->providers[0]));
	config_free(d);
	d = load_with_cred("password = other\n", 0600, &cause);
	ck_assert(!config_provider_same_listing(p, &d->providers[0]));
	config_free(d);
	config_free(c);
}
END_TEST

static const struct {
	const char *cred;
	mode_t mode;
	const char *want;
} bad_cred[] = {
	{ "password = x\n", 0640, "must be owned by root or the daemon user "
	    "and not readable by group or others (chmod 600)" },
	{ "password = x\n", 0604, "(chmod 600)" },
	{ "[s]\npassword = x\n", 0600, "holds key = value lines only" },
	{ "secret-access-key = x\n", 0600, "\"secret-access-key\" is not a "
	    "openstack key" },
	{ "password = x\nusername = v\n", 0600, ": username: set twice "
	    "(config and credentials file)" },
	{ "password =\n", 0600, ": password: empty value" },
};

/* Path-health keys: durations in s or ms, their bounds, probe modes. */
static const struct {
	const char *daemon, *peer, *want; /* want NULL: loads */
	uint32_t interval, dead, window;
} health_keys[] = {
	{ "", "", NULL, 1000, 5000, 60000 },
	{ "probe-interval = 500ms\ndead-after = 2\nprobe-window = 30s\n", "",
	    NULL, 500, 2000, 30000 },
	{ "probe-interval = 50ms\ndead-after = 100ms\n", "",
	    ":4: [daemon] dead-after: \"100ms\": out of range", 0, 0, 0 },
	{ "probe-interval = 1s\ndead-after = 1500ms\n", "",
	    ":4: [daemon] dead-after: 1500 ms is less than two probe-intervals",
	    0, 0, 0 },
	{ "probe-interval = 10ms\n", "",
	    ":3: [daemon] probe-interval: \"10ms\": out of range", 0, 0, 0 },
	{ "probe-interval = 1d\n", "",
	    ":3: [daemon] probe-interval: \"1d\": not a duration", 0, 0, 0 },
	{ "probe-interval = 1h\n", "",
	    ":3: [daemon] probe-interval: \"1h\": out of range", 0, 0, 0 },
	{ "probe-window = 99999999999999999999\n", "",
	    ":3: [daemon] probe-window: \"99999999999999999999\": not a "
	    "duration",
	    0, 0, 0 },
	{ "df = sometimes\n", "",
	    ":3: [daemon] df: \"sometimes\": must be set, unset or inherit", 0,
	    0, 0 },
	{ "", "probe = maybe\n",
	    ":7: [peer p] probe: \"maybe\": must be auto, yes or no", 0, 0, 0 },
};

START_TEST(path_health_keys)
{
	char text[512], *cause;
	struct config *c;

	snprintf(text, sizeof text,
	    "[daemon]\nrole = hub\n%s[segment a]\n"
	    "vni = 1\n[peer p]\naddress = 192.0.2.7\n%s",
	    health_keys[_i].daemon, health_keys[_i].peer);
	c = load_text(text, &cause);
	if (health_keys[_i].want != NULL) {
		ck_assert_ptr_null(c);
		ck_assert_msg(strstr(cause, health_keys[_i].want) != NULL,
		    "case %d: \"%s\" lacks \"%s\"", _i, cause,
		    health_keys[_i].want);
		free(cause);
		return;
	}
	ck_assert_msg(c != NULL, "case %d: %s", _i, cause);
	ck_assert_uint_eq(c->daemon.probe_interval_ms,
	    health_keys[_i].interval);
	ck_assert_uint_eq(c->daemon.dead_after_ms, health_keys[_i].dead);
	ck_assert_uint_eq(c->daemon.probe_window_ms, health_keys[_i].window);
	ck_assert_int_eq(c->peers[0].probe, PROBE_AUTO);
	config_free(c);
}
END_TEST

START_TEST(segment_mtu_auto_and_clamp)
{
	char *cause;
	struct config *c = load_text("[daemon]\nrole = hub\n[segment a]\n"
				     "vni = 1\nmtu = auto\nclamp-mss = yes\n"
				     "[segment b]\nvni = 2\nmtu = 1400\n",
	    &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert(c->segments[0].mtu_auto);
	ck_assert_int_eq(c->segments[0].mtu, CFG_AUTO_MTU_START);
	ck_assert(c->segments[0].clamp_mss);
	ck_assert(!c->segments[1].mtu_auto);
	ck_assert(!c->segments[1].clamp_mss);
	ck_assert_int_eq(c->segments[1].mtu, 1400);
	config_free(c);
	c = load_text("[daemon]\nrole = hub\n[segment a]\nvni = 1\n"
		      "mtu = big\n",
	    &cause);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(cause,
			  ":5: [segment a] mtu: \"big\": must be "
			  "auto or a whole number") != NULL,
	    "%s", cause);
	free(cause);
}
END_TEST

/* Azure passes no GRE; a configured path MTU is kept for the peers. */
START_TEST(cloud_rules)
{
	char *cause;
	struct config *c =
	    load_text("[daemon]\nrole = hub\n[segment a]\nvni = 1\n"
		      "[peer p]\naddress = 192.0.2.7\npath-mtu = 1400\n"
		      "[provider az]\ntype = azure\nsubscription = s\ntenant = "
		      "t\n"
		      "client-id = c\ntag = k\nencap = gre\npath-mtu = 1380\n",
		&cause);

	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_int_eq(c->providers[0].encap, ENCAP_GREUDP);
	ck_assert_uint_eq(c->providers[0].port, 4754);
	ck_assert_uint_eq(c->providers[0].path_mtu, 1380);
	ck_assert_int_eq(c->nwarnings, 1);
	ck_assert_msg(strstr(c->warnings[0],
			  ":14: [provider az] encap: azure "
			  "passes no IP protocol 47: its "
			  "peers get gre-udp instead of gre") != NULL,
	    "%s", c->warnings[0]);
	ck_assert_uint_eq(c->peers[0].path_mtu, 1400);
	ck_assert_int_eq(c->peers[0].path_mtu_source, PATH_MTU_CONFIG);
	config_free(c);
}
END_TEST

START_TEST(provider_bad_credentials)
{
	char *cause;
	struct config *c = load_with_cred(bad_cred[_i].cred, bad_cred[_i].mode,
	    &cause);

	ck_assert_msg(c == NULL, "case %d loaded", _i);
	ck_assert_msg(strstr(cause, bad_cred[_i].want) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, cause, bad_cred[_i].want);
	ck_assert_msg(strstr(cause, ":21: [provider lab] credentials: /tmp/check_config_cred.") != NULL,
	    "case %d: \"%s\" lacks the credentials line", _i, cause);
	free(cause);
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
	tcase_add_test(tc, peer_macs);
	tcase_add_test(tc, peer_manual_keys);
	tcase_add_test(tc, peer_psk);
	tcase_add_test(tc, inline_secret_needs_a_private_config);
	tcase_add_test(tc, syntax_error_keeps_secrets);
	tcase_add_test(tc, sample_says_which_keys_restart);
	tcase_add_test(tc, provider_section);
	tcase_add_test(tc, segment_mtu_auto_and_clamp);
	tcase_add_test(tc, cloud_rules);
	tcase_add_loop_test(tc, path_health_keys, 0,
	    sizeof health_keys / sizeof health_keys[0]);
	tcase_add_loop_test(tc, provider_bad_credentials, 0,
	    sizeof bad_cred / sizeof bad_cred[0]);
	suite_add_tcase(s, tc);
	return s;
}
