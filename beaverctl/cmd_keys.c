// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The node keys of the control plane (beaverd/wire.h), as WireGuard's wg
 * does it:
 *
 * beaverctl genkey: a fresh private key (32 random bytes from libsodium,
 * an X25519 secret). With FILE: bvw_key_generate() writes 64 hex digits
 * and a newline, mode 0600, and refuses to overwrite anything. Without:
 * the 64 hex digits on stdout (beaverctl genkey > key, like wg genkey).
 *
 * beaverctl pubkey [FILE]: the public key of a private key file (or of
 * the key on stdin), the line other nodes put in public_key, and its key
 * id. No beaverd needed for either.
 */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* the private key on stdin: 64 hex digits (and white space around them) */
static int key_from_stdin(struct ctl *c, struct bvw_key *k)
{
	char buf[160];
	size_t n = fread(buf, 1, sizeof(buf) - 1, stdin), bin_len = 0;
	const char *end = NULL, *p = buf;
	int bad;

	buf[n] = '\0';
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	bad = sodium_hex2bin(k->k, BVW_KEY_LEN, p, strlen(p), NULL, &bin_len,
			     &end) || bin_len != BVW_KEY_LEN ||
	      end[strspn(end, " \t\r\n")];
	sodium_memzero(buf, sizeof(buf));
	if (bad)
		return ctl_fail(c, BVX_USAGE, "usage", "pubkey: standard input "
				"is not a private key (64 hex digits, as "
				"`beaverctl genkey` writes)");
	return BVX_OK;
}

int cmd_pubkey(struct ctl *c, int argc, char **argv)
{
	struct bvw_keypair kp;
	struct bvw_key k;
	char hex[2 * BVW_PUBLIC_LEN + 1], id[9], why[256];
	int rc, opt, err;
	char *arg;

	while ((opt = ctl_getopt(c, argc, argv, NULL, &arg, &rc)) != -1)
		if (opt == -2)
			return rc;
	if (argc - ctl_optind() > 1)
		return ctl_usage(c, "too many arguments");
	if (sodium_init() < 0)
		return ctl_fail(c, BVX_ERROR, "internal",
				"pubkey: libsodium cannot initialise");
	if (ctl_optind() == argc || !strcmp(argv[ctl_optind()], "-")) {
		rc = key_from_stdin(c, &k);
		if (rc)
			return rc;
		err = bvw_keypair_from_secret(&k, &kp);
		sodium_memzero(&k, sizeof(k));
		if (err)
			return ctl_fail(c, BVX_ERROR, "key", "pubkey: no public "
					"key can be derived from it");
	} else {
		const char *path = argv[ctl_optind()];

		err = bvw_keypair_load(path, &kp, why, sizeof(why));
		if (err)
			return ctl_fail(c, BVX_ERROR, err == -ENOENT ? "not-found" :
					"key", "pubkey: %s: %s", path, why);
	}
	sodium_bin2hex(hex, sizeof(hex), kp.pub, sizeof(kp.pub));
	snprintf(id, sizeof(id), "%08" PRIx32, kp.id);
	sodium_memzero(&kp, sizeof(kp));
	pr_begin(NULL);
	pr_str("schema", NULL, "beaver-pubkey/1", PR_PLAIN);
	pr_str("public_key", NULL, hex, PR_PLAIN);
	pr_str("key_id", NULL, id, PR_PLAIN);
	rc = pr_end();
	if (!pr_is_json())
		puts(hex);
	if (rc || fflush(stdout) || ferror(stdout))
		return ctl_fail(c, BVX_ERROR, "io", "pubkey: cannot write to "
				"stdout");
	return BVX_OK;
}
