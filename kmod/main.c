// SPDX-License-Identifier: GPL-2.0
/*
 * beaver.ko: causally consistent partial snapshots behind IPVS gateways.
 * This file only loads and unloads; see DESIGN.md and uapi/beaver.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include "netns.h"
#include "netlink.h"
#include "tables.h"

static int __init beaver_init(void)
{
	int err;

	err = bv_tables_init();
	if (err)
		goto err_tables;
	err = bv_netns_init();
	if (err)
		goto err_netns;
	err = bv_genl_init();
	if (err)
		goto err_genl;
	pr_info("loaded: stamp %u bytes, group epochs are RFC 1982 serials\n",
		8);
	return 0;

err_genl:
	bv_netns_exit();
err_netns:
	bv_tables_exit();
err_tables:
	return err;
}

static void __exit beaver_exit(void)
{
	bv_genl_exit();
	bv_netns_exit();
	/* cut records and configurations are freed after a grace period */
	rcu_barrier();
	bv_tables_exit();
	pr_info("unloaded\n");
}

module_init(beaver_init);
module_exit(beaver_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Beaver: causally consistent partial snapshots behind IPVS gateways");
MODULE_AUTHOR("The Beaver for Linux developers");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_GENL_FAMILY(BEAVER_GENL_NAME);
