/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Logging: to the journal (sd_journal_print, with priority) when running
 * under systemd, else to stderr with a priority prefix.
 */
#ifndef BEAVERD_LOG_H
#define BEAVERD_LOG_H

#include <stdbool.h>
#include <syslog.h>

void bvd_log_init(bool to_stderr, int max_priority);
void bvd_log(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define bvd_err(...)	bvd_log(LOG_ERR, __VA_ARGS__)
#define bvd_warn(...)	bvd_log(LOG_WARNING, __VA_ARGS__)
#define bvd_info(...)	bvd_log(LOG_INFO, __VA_ARGS__)
#define bvd_debug(...)	bvd_log(LOG_DEBUG, __VA_ARGS__)

#endif /* BEAVERD_LOG_H */
