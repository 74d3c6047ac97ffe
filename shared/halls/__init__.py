"""Service halls (政务服务大厅): halls, windows and appointments (issue 17, first slice)."""
