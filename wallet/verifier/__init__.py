"""The verifier side of OpenID4VP 1.0: build a DCQL request, serve its request object
and its direct_post endpoint (Starlette, mountable in another app such as the reference
issuer), and judge the answer exactly as ``wallet verify-presentation`` does."""
