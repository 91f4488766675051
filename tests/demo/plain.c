/* An object that exports nothing, as most fs/ext4 objects. */
int plain_helper(int x)
{
	return x * 2;
}
