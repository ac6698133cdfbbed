"""The network side: fetching credentials and the documents that verify them. Verification
stays offline; this layer only fills the cache."""
