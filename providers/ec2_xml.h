/*
 * ec2_xml.h: EC2 Query API response bodies (libxml2).
 *
 * DescribeInstances: every instance becomes a struct instance (id, Name tag
 * or id as name, state, availability zone, private and public IPv4, the
 * ENIs' extra addresses, IPv6 addresses as public, all tags).  Every field
 * is optional; a body that is not the expected XML is PROVIDER_MALFORMED.
 * Entities are not expanded and nothing is fetched from the network while
 * parsing.  Callers cap the body size before calling.
 */
#ifndef EC2_XML_H
#define EC2_XML_H

#include <stddef.h>

#include "provider.h"

/* Append the instances; *next_token gets the pagination token or NULL. */
enum provider_error ec2_parse_instances(const char *body, size_t len,
    struct instance_list *, char **next_token, struct provider_err *);
/* Turn an EC2 error body and HTTP status into a provider error. */
enum provider_error ec2_parse_error(const char *body, size_t len,
    long http_status, struct provider_err *);

#endif
