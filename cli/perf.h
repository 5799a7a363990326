/*
 * perf.h: tunnelctl perf, the throughput test's command (tunnelctl(8),
 * PERF): its options, one test or several (--compare, --all, --each),
 * and the output, iperf3's shape in text or JSON.
 */
#ifndef CLI_PERF_H
#define CLI_PERF_H

/*
 * Run "perf" with argv (argv[0] is "perf") against the daemon at socket;
 * json: the global --json.  The exit code (tunnelctl's).
 */
int perf_main(const char *socket, int json, int argc, char **argv);

#endif
