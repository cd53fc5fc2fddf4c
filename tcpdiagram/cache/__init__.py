"""Every cache and fingerprint tcpdiagram keeps: the user cache's store, what keys its entries, and each cache."""
