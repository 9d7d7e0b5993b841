// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for bench/profile/run.sh: how many guest instructions
 * each translated block executed, dumped at every call of a marker
 * function in the guest, so that each stretch between two calls (one
 * workload run, bench/vm/datapath.sh's PROF=1) is its own file.
 *
 * Arguments: out=PREFIX (files PREFIX.000, PREFIX.001, ...: one line per
 * block that ran, "vaddr instructions executions"), kallsyms=FILE and
 * marker=SYMBOL: the guest writes its /proc/kallsyms to FILE (through the
 * VM's 9p share) before it first calls SYMBOL; the plugin reads the
 * address there, so KASLR does not matter.
 *
 * Only the handful of plugin API calls below are used. They are declared
 * here rather than taken from qemu-plugin.h, which Debian does not ship;
 * their signatures are those of API version 1 (QEMU 7.2).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb_t)(unsigned int vcpu, void *udata);
typedef void (*udata_cb_t)(qemu_plugin_id_t id, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb_t cb,
				    void *udata);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t count;	/* incremented by the guest's code itself (inline) */
};

/*
 * One entry per translation, never moved (the inline counters point into
 * it): allocated once; a run that translates more stops with a message
 */
#define MAX_BLOCKS	(64u << 20)

static struct block *blocks;
static size_t n_blocks;
static const char *prefix = "tbcount";
static const char *kallsyms, *marker_sym;
static uint64_t marker;
static unsigned int dumps, tries;

static void dump(void)
{
	char path[4096];
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s.%03u", prefix, dumps++);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return;
	}
	for (i = 0; i < n_blocks; i++) {
		if (blocks[i].count)
			fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n",
				blocks[i].vaddr, blocks[i].insns,
				blocks[i].count);
		blocks[i].count = 0;
	}
	fclose(f);
}

static void on_marker(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	dump();
}

static void on_atexit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	dump();
}

/* the marker's address, once the guest has written its kallsyms */
static void find_marker(void)
{
	char line[512], name[256];
	uint64_t addr;
	FILE *f;

	/* a look every 4096 translations costs nothing measurable */
	if (marker || !kallsyms || tries++ % 4096)
		return;
	f = fopen(kallsyms, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 " %*c %255s", &addr, name) == 2 &&
		    !strcmp(name, marker_sym)) {
			marker = addr;
			break;
		}
	fclose(f);
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block *b;

	(void)id;
	if (n_blocks == MAX_BLOCKS) {
		fprintf(stderr, "tbcount: more than %u translations\n",
			MAX_BLOCKS);
		abort();
	}
	find_marker();
	b = &blocks[n_blocks++];
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	b->insns = qemu_plugin_tb_n_insns(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->count, 1);
	if (marker && b->vaddr == marker)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_marker,
						     QEMU_PLUGIN_CB_NO_REGS,
						     NULL);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info,
			int argc, char **argv)
{
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		/* copied: QEMU need not keep its argument strings */
		if (!strncmp(argv[i], "out=", 4))
			prefix = strdup(argv[i] + 4);
		else if (!strncmp(argv[i], "kallsyms=", 9))
			kallsyms = strdup(argv[i] + 9);
		else if (!strncmp(argv[i], "marker=", 7))
			marker_sym = strdup(argv[i] + 7);
	}
	if (!prefix || !kallsyms != !marker_sym) {
		fprintf(stderr, "tbcount: kallsyms= and marker= go together\n");
		return -1;
	}
	/* zero pages until used: only what is translated is touched */
	blocks = calloc(MAX_BLOCKS, sizeof(*blocks));
	if (!blocks)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
	return 0;
}
