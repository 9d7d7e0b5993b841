/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test applications' (bvapp, bvtcpapp) subscription: beaverd may
 * still be starting when they do, so they retry for 10 s.
 */
#ifndef BV_TOOLS_APP_OPEN_H
#define BV_TOOLS_APP_OPEN_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "beaver-app.h"

/* subscribed, or a message naming @tool on stderr and NULL */
static inline struct beaver_app *app_open_retry(const char *tool,
						const char *path,
						const char *name)
{
	struct beaver_app *app = NULL;
	int err = 0;

	for (int i = 0; i < 100; i++) {
		err = beaver_app_open(path, name, &app);
		if (err != -ENOENT && err != -ECONNREFUSED)
			break;
		usleep(100000);
	}
	if (err) {
		fprintf(stderr, "%s: beaver_app_open: %s\n", tool, strerror(-err));
		return NULL;
	}
	return app;
}

#endif
