"""OpenID for Verifiable Presentations 1.0: the holder's side (read a request, evaluate
its DCQL query against the stored credentials, answer with direct_post) and the pieces
the verifier side shares (the DCQL model, claims path pointers)."""
