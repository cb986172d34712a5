/*
 * capture.h -- the lab's packet capture: bin/dl-capture recording the lab
 * namespace's loopback into one pcap file while a run keeps evidence.
 * Started and stopped by the runner inside the sandbox; only then.
 */
#ifndef DL_LAB_CAPTURE_H
#define DL_LAB_CAPTURE_H

#include "util/err.h"

struct dl_capture;

/*
 * Start bindir/dl-capture on iface, writing path; returns once the capture
 * is active (every later packet is in the file), or NULL with err set.
 * Its own messages go to log_path.
 */
struct dl_capture *dl_capture_start(const char *bindir, const char *iface,
	const char *path, const char *log_path, struct dl_err *err);
/* Stop it, wait until the file is complete, free c.  -1 with err set if
 * the capture ended badly (the file may still hold what it got). */
int dl_capture_stop(struct dl_capture *c, struct dl_err *err);
const char *dl_capture_path(const struct dl_capture *c);

#endif
