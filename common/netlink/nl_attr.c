#include "common/netlink/nl_attr.h"

#include <errno.h>

struct attr_table {
	const struct nlattr **tb;
	unsigned int max;
};

static int collect_attr(const struct nlattr *attr, void *data)
{
	struct attr_table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

int wgm_nl_attr_table(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb, unsigned int max)
{
	struct attr_table t = { tb, max };

	if (mnl_nlmsg_get_payload_len(nlh) < hdrlen)
		return -EBADMSG;
	return mnl_attr_parse(nlh, (unsigned int)hdrlen, collect_attr, &t) < 0 ? -EBADMSG : 0;
}

int wgm_nl_attr_table_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	struct attr_table t = { tb, max };

	return mnl_attr_parse_nested(nest, collect_attr, &t) < 0 ? -EBADMSG : 0;
}
