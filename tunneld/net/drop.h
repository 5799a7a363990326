/*
 * drop.h: why a packet was dropped.
 *
 * Every drop on the data path names one of these reasons and bumps its
 * counter; the control socket reports them by name.  Add new reasons before
 * DROP_MAX and give them a name in drop.c.
 */
#ifndef DROP_H
#define DROP_H

enum drop_reason {
	DROP_NONE = 0,
	DROP_TRUNCATED,	     /* shorter than its headers say */
	DROP_BAD_FLAGS,	     /* unknown flag or non-zero reserved bit */
	DROP_BAD_VERSION,    /* GRE version or IP version not ours */
	DROP_BAD_PROTO,	     /* GRE protocol other than 0x6558 */
	DROP_BAD_CHECKSUM,   /* GRE checksum present and wrong */
	DROP_NO_KEY,	     /* GRE without the key that names the VNI */
	DROP_RUNT,	     /* inner frame shorter than an Ethernet header */
	DROP_OVERSIZE,	     /* larger than the buffer or the path allows */
	DROP_UNKNOWN_SOURCE, /* outer source is not a known peer */
	DROP_UNKNOWN_VNI,    /* no segment with that VNI */
	DROP_NOT_MEMBER,     /* known peer, segment it does not carry */
	DROP_BAD_SRC_MAC,    /* multicast or zero inner source MAC */
	DROP_HAIRPIN,	     /* destination is where the frame came from */
	DROP_NO_RELAY,	     /* peer to peer, and this node does not relay */
	DROP_FLOOD_LIMIT,    /* per-port flood rate exceeded */
	DROP_TX_ERROR,	     /* the kernel refused to send */
	DROP_TAP_ERROR,	     /* writing to the TAP failed */
	DROP_RX_OVERFLOW,    /* the kernel dropped: socket buffer full */
	DROP_BAD_VNET,	     /* TAP offload header that does not fit */
	DROP_MAC_MOVE,	     /* source MAC live at another port: not moved */
	DROP_BAD_PROBE,	     /* probe header with a body that is not one */
	DROP_PROBE_LIMIT,    /* probe requests above the answer rate */
	/* ESP (RFC 4303 in UDP, RFC 3948) */
	DROP_UNKNOWN_SPI,    /* no inbound SA with that SPI */
	DROP_AUTH_FAILED,    /* the ICV does not verify: forged or damaged */
	DROP_REPLAY,	     /* a sequence number seen before */
	DROP_TOO_OLD,	     /* left of the replay window */
	DROP_ESP_MALFORMED,  /* too short, bad padding, bad next header */
	DROP_PEER_RESTARTED, /* from a restarted peer, until a new window */
	DROP_PLAINTEXT,	     /* plaintext from a peer that must encrypt */
	DROP_NO_SA,	     /* encrypted peer without a usable SA */
	DROP_NOT_ESP,	     /* on the ESP port but not ESP (IKE, say) */
	DROP_NO_TEST,	     /* a test's frame, and no such test runs */
	DROP_MAX
};

/* Stable lower-case name of a reason, as the control socket reports it. */
const char *drop_name(enum drop_reason);

#endif
