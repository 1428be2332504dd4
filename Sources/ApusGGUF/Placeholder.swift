// ApusGGUF
