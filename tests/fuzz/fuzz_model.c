/*
 * fuzz_model.c: tunneltop's model fed arbitrary control-socket replies.
 * The input is one JSON object whose "status", "peers", "discovery",
 * "events" and "fdb" members stand for the daemon's replies (any type,
 * any content); it is applied twice, a second apart, and every tunnel is
 * then diagnosed, cut into cells, sorted, filtered and printed --once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "model.h"
#include "once.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
look_at(const struct model *m)
{
	struct table_sort s = { COL_NAME, false };
	char buf[TABLE_CELL], why[512];
	int *idx = calloc((size_t)m->ntunnels + 1, sizeof *idx), i, c;
	FILE *null = fopen("/dev/null", "w");

	for (i = 0; i < m->ntunnels; i++) {
		diag_tunnel(m, &m->tunnels[i], 2000, 1700000002, why,
		    sizeof why);
		for (c = 0; c < COL_MAX; c++)
			table_cell(&m->tunnels[i], (enum column)c, 2000, i & 1,
			    buf);
	}
	for (c = 0; c < COL_MAX; c++) {
		s.col = (enum column)c;
		s.invert = c & 1;
		table_rows(m, &s, c & 2 ? "a" : "", idx);
	}
	if (null != NULL) {
		once_print(null, m, false, 2000, 1700000002);
		once_print(null, m, true, 2000, 1700000002);
		fclose(null);
	}
	free(idx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	struct model *m;
	struct replies r;
	const char *peer;

	if (j == NULL)
		return 0;
	m = model_new();
	r.status = json_object_get(j, "status");
	r.peers = json_object_get(j, "peers");
	r.discovery = json_object_get(j, "discovery");
	r.events = json_object_get(j, "events");
	r.fdb = json_object_get(j, "fdb");
	peer = json_string_value(json_object_get(j, "fdb_peer"));
	r.fdb_peer = peer != NULL ? peer : "spoke1";
	model_update(m, &r, 1000, 1700000001);
	model_unreachable(m, "gone", 1700000001);
	model_update(m, &r, 2000, 1700000002);
	look_at(m);
	model_reset_history(m);
	model_free(m);
	json_decref(j);
	return 0;
}
