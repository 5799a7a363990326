/* overhead.c: a tunnel's bytes on the underlay (overhead.h). */
#include <sys/socket.h>

#include "esp.h"
#include "net/transport.h"
#include "overhead.h"

/* Outer IP and UDP of an ESP packet. */
static size_t
esp_outer(int family)
{
	return (family == AF_INET6 ? IPV6_HDR_LEN : IPV4_HDR_MIN) + UDP_HDR_LEN;
}

/* The transport header ESP seals in front of the payload. */
static size_t
transport_len(enum encap_type t, bool probe)
{
	uint8_t hdr[TRANSPORT_HDR_MAX], nh;

	return transport_build(t, probe ? WIRE_PROBE : WIRE_FRAME, 0, 0, 0, 0,
	    hdr, &nh);
}

size_t
overhead_outer_len(enum encap_type t, int family, bool probe, bool esp,
    size_t len)
{
	if (!esp)
		return encap_outer_len(t, family, probe) + len;
	return esp_outer(family) +
	    esp_sealed_len(transport_len(t, probe) + len);
}

size_t
overhead_payload_max(enum encap_type t, int family, bool probe, bool esp,
    size_t outer)
{
	size_t fixed = esp ? esp_outer(family) + ESP_HDR + ESP_IV + ESP_ICV
			   : encap_outer_len(t, family, probe);
	size_t body, th;

	if (outer <= fixed)
		return 0;
	if (!esp)
		return outer - fixed;
	/* The encrypted part is a multiple of 4, the trailer's 2 included. */
	body = (outer - fixed) & ~(size_t)3;
	th = transport_len(t, probe);
	return body >= th + ESP_TRAILER ? body - ESP_TRAILER - th : 0;
}
