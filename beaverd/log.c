// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stdarg.h>
#include <stdio.h>
#include <systemd/sd-journal.h>

#include "log.h"

static bool log_stderr = true;
static int log_max = LOG_INFO;

void bvd_log_init(bool to_stderr, int max_priority)
{
	log_stderr = to_stderr;
	log_max = max_priority;
}

void bvd_log(int priority, const char *fmt, ...)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice",
		"info", "debug",
	};
	va_list ap;

	if (priority > log_max)
		return;
	va_start(ap, fmt);
	if (log_stderr) {
		fprintf(stderr, "beaverd: %s: ", names[priority & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		sd_journal_printv(priority, fmt, ap);
	}
	va_end(ap);
}
