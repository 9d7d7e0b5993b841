// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "bvnetns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NETNS_RUN_DIR "/var/run/netns"

int bv_netns_enter(const char *netns, int *saved)
{
	char path[PATH_MAX];
	int fd, old, err;

	*saved = -1;
	if (!netns || !*netns)
		return 0;
	if (netns[0] == '/') {
		if (snprintf(path, sizeof(path), "%s", netns) >= (int)sizeof(path))
			return -ENAMETOOLONG;
	} else {
		/* a name, as `ip netns` uses: no path tricks */
		if (strchr(netns, '/') || !strcmp(netns, ".") ||
		    !strcmp(netns, ".."))
			return -EINVAL;
		if (snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", netns) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* thread-self, not self: setns() changes only the calling thread */
	old = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (old < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (setns(fd, CLONE_NEWNET)) {
		err = -errno;
		close(fd);
		close(old);
		return err;
	}
	close(fd);
	*saved = old;
	return 0;
}

void bv_netns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET)) {
		fprintf(stderr, "beaver: cannot return to the original network namespace: %s\n",
			strerror(errno));
		abort();
	}
	close(saved);
}
