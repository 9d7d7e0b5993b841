// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * beaverctl genkey: a fresh 32-byte group key for the control plane
 * (beaverd/wire.h). With FILE: bvw_key_generate() writes 64 hex digits and
 * a newline, mode 0600, and refuses to overwrite anything. Without: the 64
 * hex digits on stdout (beaverctl genkey > key, like wg genkey). Random
 * bytes from libsodium; no beaverd needed.
 */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "beaverctl.h"
#include "print.h"
#include "../beaverd/wire.h"

static int key_to_stdout(struct ctl *c)
{
	uint8_t k[BVW_KEY_LEN];
	char hex[2 * BVW_KEY_LEN + 1];
	int rc;

	if (sodium_init() < 0)
		return ctl_fail(c, BVX_ERROR, "internal",
				"genkey: libsodium cannot initialise");
	randombytes_buf(k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	pr_begin(NULL);
	pr_str("schema", NULL, "beaver-key/1", PR_PLAIN);
	pr_str("key", NULL, hex, PR_PLAIN);
	rc = pr_end();
	if (!pr_is_json())
		puts(hex);
	sodium_memzero(hex, sizeof(hex));
	if (rc || fflush(stdout) || ferror(stdout))
		return ctl_fail(c, BVX_ERROR, "io", "genkey: cannot write "
				"the key to stdout");
	return BVX_OK;
}

int cmd_genkey(struct ctl *c, int argc, char **argv)
{
	const char *path;
	char *arg;
	int rc, opt, err;

	while ((opt = ctl_getopt(c, argc, argv, NULL, &arg, &rc)) != -1)
		if (opt == -2)
			return rc;
	if (argc - ctl_optind() > 1)
		return ctl_usage(c, "too many arguments");
	if (ctl_optind() == argc)
		return key_to_stdout(c);

	path = argv[ctl_optind()];
	err = bvw_key_generate(path);
	if (err == -EEXIST)
		return ctl_fail(c, BVX_ERROR, "exists", "genkey: %s exists: "
				"refusing to overwrite a key", path);
	if (err)
		return ctl_fail(c, BVX_ERROR, "io", "genkey: %s: %s", path,
				strerror(-err));
	pr_begin(NULL);
	pr_str("schema", NULL, "beaver-key/1", PR_PLAIN);
	pr_str("file", "key written to", path, PR_PLAIN);
	pr_str("mode", NULL, "0600", PR_PLAIN);
	return pr_end() ? BVX_ERROR : BVX_OK;
}
