"""OpenID4VCI 1.0 metadata: the credential issuer's (section 12.2) and its own OAuth
authorization server's (RFC 8414), with the three credential configurations."""

from __future__ import annotations

from typing import Any

from wallet.issuer.server import credentials
from wallet.issuer.server.config import IssuerConfig
from wallet.issuer.server.keys import COLLEGE_NAME

PRE_AUTH_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_ALGS = ("ES256", "EdDSA")
# configuration id -> format
CONFIGURATIONS = {
    "programme_sd_jwt": credentials.SD_JWT,
    "programme_jwt_vc": credentials.JWT_VC,
    "programme_ldp_vc": credentials.LDP_VC,
}
OB3_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]


def _display(name: str) -> list[dict[str, Any]]:
    return [{"name": name, "locale": "en-US"}]


def _proof_types() -> dict[str, Any]:
    return {"jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGS)}}


def configurations(config: IssuerConfig, extra_mdoc: str | None = None) -> dict[str, Any]:
    from wallet.issuer.samples import OB3_CONTEXT, VC2_CONTEXT

    programme = credentials.PROGRAMME
    supported: dict[str, Any] = {
        "programme_sd_jwt": {
            "format": credentials.SD_JWT,
            "vct": config.url("/vct/programme"),
            "cryptographic_binding_methods_supported": ["jwk"],
            "credential_signing_alg_values_supported": ["ES256"],
            "proof_types_supported": _proof_types(),
            "credential_metadata": {
                "display": _display(f"{programme} (SD-JWT VC)"),
                "claims": [
                    {"path": [name]}
                    for name in ("given_name", "family_name", "programme", "grade", "credits")
                ]
                + [{"path": ["skills", None]}],
            },
        },
        "programme_jwt_vc": {
            "format": credentials.JWT_VC,
            "credential_definition": {"type": OB3_TYPES},
            "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
            "credential_signing_alg_values_supported": ["ES256"],
            "proof_types_supported": _proof_types(),
            "credential_metadata": {"display": _display(f"{programme} (Open Badge, VC-JOSE)")},
        },
        "programme_ldp_vc": {
            "format": credentials.LDP_VC,
            "credential_definition": {
                "@context": [VC2_CONTEXT, OB3_CONTEXT],
                "type": OB3_TYPES,
            },
            "cryptographic_binding_methods_supported": ["did:key", "did:jwk"],
            "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
            "proof_types_supported": _proof_types(),
            "credential_metadata": {"display": _display(f"{programme} (Open Badge 3.0)")},
        },
    }
    if extra_mdoc:
        supported[extra_mdoc] = {
            "format": "mso_mdoc",
            "doctype": "org.iso.18013.5.1.mDL",
            "cryptographic_binding_methods_supported": ["cose_key"],
            "credential_signing_alg_values_supported": [-7],
            "proof_types_supported": _proof_types(),
        }
    return supported


def issuer_metadata(config: IssuerConfig, extra_mdoc: str | None = None) -> dict[str, Any]:
    return {
        "credential_issuer": config.base_url,
        "credential_endpoint": config.url("/credential"),
        "nonce_endpoint": config.url("/nonce"),
        "display": [{"name": COLLEGE_NAME, "locale": "en-US"}],
        "credential_configurations_supported": configurations(config, extra_mdoc),
    }


def authorization_server_metadata(config: IssuerConfig) -> dict[str, Any]:
    return {
        "issuer": config.base_url,
        "token_endpoint": config.url("/token"),
        "pre-authorized_grant_anonymous_access_supported": True,
        "grant_types_supported": [PRE_AUTH_GRANT],
        "response_types_supported": [],
        "token_endpoint_auth_methods_supported": ["none"],
    }
