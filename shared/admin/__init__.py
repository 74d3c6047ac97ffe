"""The management platform (管理平台, issue 19): the admin audit log and item claim tasks (D-290)."""
