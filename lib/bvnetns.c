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

/*
 * Where `ip netns` keeps its files: /run/netns on current systems; the
 * older /var/run/netns is the same directory where /var/run links to /run,
 * but not in a minimal initramfs (the VM bench), so both are tried.
 */
static const char *const netns_dirs[] = { "/run/netns", "/var/run/netns" };

/* open the namespace file of a name, first directory that has it */
static int open_named(const char *name)
{
	char path[PATH_MAX];
	int fd = -1, err = -ENOENT;

	for (size_t i = 0; i < sizeof(netns_dirs) / sizeof(netns_dirs[0]); i++) {
		if (snprintf(path, sizeof(path), "%s/%s", netns_dirs[i], name) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			err = -errno;
	}
	return err;
}

int bv_netns_enter(const char *netns, int *saved)
{
	int fd, old, err;

	*saved = -1;
	if (!netns || !*netns)
		return 0;
	if (netns[0] == '/') {
		fd = open(netns, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	} else {
		/* a name, as `ip netns` uses: no path tricks */
		if (strchr(netns, '/') || !strcmp(netns, ".") ||
		    !strcmp(netns, ".."))
			return -EINVAL;
		fd = open_named(netns);
		if (fd < 0)
			return fd;
	}
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
