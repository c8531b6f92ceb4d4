public enum TestSupportWIP {}
