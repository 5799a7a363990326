/* ec2_xml.c: DescribeInstances and error bodies, walked with libxml2. */
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "ec2_xml.h"
#include "http.h"
#include "xmalloc.h"

enum { XML_OPTIONS = XML_PARSE_NONET | XML_PARSE_NOBLANKS |
    XML_PARSE_NOERROR | XML_PARSE_NOWARNING };

/* libxml2's errors are the caller's to report: never on stderr. */
static void
xml_quiet(void *ctx, xmlError *e)
{
	(void)ctx;
	(void)e;
}

static void
xml_quiet_generic(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/*
 * Parse an untrusted body.  XML_PARSE_NOERROR does not silence every
 * report (an unknown encoding is printed through the generic handler), so
 * both handlers are replaced for the parse.
 */
static xmlDoc *
xml_read(const char *body, size_t len, const char *what)
{
	if (len > INT32_MAX)
		return NULL;
	xmlSetStructuredErrorFunc(NULL, xml_quiet);
	xmlSetGenericErrorFunc(NULL, xml_quiet_generic);
	return xmlReadMemory(body, (int)len, what, NULL, XML_OPTIONS);
}

/* First child element with this local name (namespaces ignored). */
static xmlNode *
child(xmlNode *n, const char *name)
{
	xmlNode *c;

	if (n == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* Text of a child element as a new string, or NULL if absent or empty. */
static char *
text(xmlNode *n, const char *name)
{
	xmlNode *c = child(n, name);
	xmlChar *s;
	char *out = NULL;

	if (c == NULL || (s = xmlNodeGetContent(c)) == NULL)
		return NULL;
	if (s[0] != '\0')
		out = xstrdup((const char *)s);
	xmlFree(s);
	return out;
}

static void
add_unique(char ***v, size_t *n, char *addr)
{
	size_t i;

	if (addr == NULL)
		return;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], addr) == 0)
			break;
	if (i == *n)
		instance_add_address(v, n, addr);
	free(addr);
}

/* Addresses of the instance's network interfaces. */
static void
parse_enis(xmlNode *set, struct instance *in)
{
	xmlNode *eni, *a;

	for (eni = set ? set->children : NULL; eni != NULL; eni = eni->next) {
		add_unique(&in->private_addrs, &in->nprivate,
		    text(eni, "privateIpAddress"));
		add_unique(&in->public_addrs, &in->npublic,
		    text(child(eni, "association"), "publicIp"));
		a = child(eni, "privateIpAddressesSet");
		for (a = a ? a->children : NULL; a != NULL; a = a->next) {
			add_unique(&in->private_addrs, &in->nprivate,
			    text(a, "privateIpAddress"));
			add_unique(&in->public_addrs, &in->npublic,
			    text(child(a, "association"), "publicIp"));
		}
		a = child(eni, "ipv6AddressesSet");
		for (a = a ? a->children : NULL; a != NULL; a = a->next)
			add_unique(&in->public_addrs, &in->npublic,
			    text(a, "ipv6Address"));
	}
}

static void
parse_tags(xmlNode *set, struct instance *in)
{
	xmlNode *t;
	char *k, *v;

	for (t = set ? set->children : NULL; t != NULL; t = t->next) {
		if ((k = text(t, "key")) == NULL)
			continue;
		v = text(t, "value");
		instance_add_tag(in, k, v ? v : "");
		if (strcmp(k, "Name") == 0 && v != NULL && in->name == NULL)
			in->name = xstrdup(v);
		free(k);
		free(v);
	}
}

static void
parse_instance(xmlNode *item, struct instance_list *out)
{
	struct instance *in;
	char *id = text(item, "instanceId");

	if (id == NULL)
		return;		/* an instance without an id is no use */
	in = instance_list_add(out);
	in->id = id;
	in->state = text(child(item, "instanceState"), "name");
	in->zone = text(child(item, "placement"), "availabilityZone");
	add_unique(&in->private_addrs, &in->nprivate,
	    text(item, "privateIpAddress"));
	add_unique(&in->public_addrs, &in->npublic, text(item, "ipAddress"));
	parse_enis(child(item, "networkInterfaceSet"), in);
	parse_tags(child(item, "tagSet"), in);
	if (in->name == NULL)
		in->name = xstrdup(id);
}

enum provider_error
ec2_parse_instances(const char *body, size_t len, struct instance_list *out,
    char **next_token, struct provider_err *err)
{
	xmlDoc *doc;
	xmlNode *root, *res, *inst;

	*next_token = NULL;
	if ((doc = xml_read(body, len, "DescribeInstances")) == NULL)
		return provider_fail(err, PROVIDER_MALFORMED,
		    "EC2: DescribeInstances response is not XML");
	root = xmlDocGetRootElement(doc);
	if (root == NULL || strcmp((const char *)root->name,
	    "DescribeInstancesResponse") != 0) {
		xmlFreeDoc(doc);
		return provider_fail(err, PROVIDER_MALFORMED, "EC2: expected "
		    "DescribeInstancesResponse");
	}
	res = child(root, "reservationSet");
	for (res = res ? res->children : NULL; res != NULL; res = res->next) {
		inst = child(res, "instancesSet");
		for (inst = inst ? inst->children : NULL; inst != NULL;
		    inst = inst->next)
			if (inst->type == XML_ELEMENT_NODE)
				parse_instance(inst, out);
	}
	*next_token = text(root, "nextToken");
	xmlFreeDoc(doc);
	err->kind = PROVIDER_OK;
	return PROVIDER_OK;
}

/* EC2 error codes whose kind differs from what the HTTP status says. */
static const struct {
	const char *code;
	enum provider_error kind;
} ec2_codes[] = {
	{ "AuthFailure", PROVIDER_AUTH_FAILED },
	{ "InvalidClientTokenId", PROVIDER_AUTH_FAILED },
	{ "SignatureDoesNotMatch", PROVIDER_AUTH_FAILED },
	{ "IncompleteSignature", PROVIDER_AUTH_FAILED },
	{ "RequestExpired", PROVIDER_AUTH_FAILED },
	{ "UnauthorizedOperation", PROVIDER_FORBIDDEN },
	{ "RequestLimitExceeded", PROVIDER_THROTTLED },
	{ "Throttling", PROVIDER_THROTTLED },
	{ "InternalError", PROVIDER_SERVER_ERROR },
	{ "Unavailable", PROVIDER_SERVER_ERROR },
};

enum provider_error
ec2_parse_error(const char *body, size_t len, long status,
    struct provider_err *err)
{
	enum provider_error kind = http_status_kind(status);
	xmlDoc *doc = NULL;
	xmlNode *e;
	char *code = NULL, *msg = NULL;
	size_t i;

	doc = xml_read(body, len, "error");
	e = child(child(doc ? xmlDocGetRootElement(doc) : NULL, "Errors"),
	    "Error");
	if (e != NULL) {
		code = text(e, "Code");
		msg = text(e, "Message");
	}
	for (i = 0; code != NULL && i < sizeof ec2_codes / sizeof ec2_codes[0];
	    i++)
		if (strcmp(code, ec2_codes[i].code) == 0)
			kind = ec2_codes[i].kind;
	/* Authentication messages may quote what was signed: leave them out. */
	if (kind == PROVIDER_AUTH_FAILED)
		provider_fail(err, kind, "EC2: HTTP %ld %s", status,
		    code ? code : "");
	else
		provider_fail(err, kind, "EC2: HTTP %ld %s%s%.160s", status,
		    code ? code : "(no error code)", msg ? ": " : "",
		    msg ? msg : "");
	free(code);
	free(msg);
	xmlFreeDoc(doc);
	return kind;
}
