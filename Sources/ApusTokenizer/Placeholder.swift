// ApusTokenizer
