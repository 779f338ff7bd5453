"""`/.well-known/portfolio-keys.json`: the public key set, for anyone, at a stable address."""

import json

from signing.keys import sign


def test_the_key_set_is_published_to_anyone_without_signing_in(client, signing_key_dir):
    key_id, _ = sign(11, b"record")
    response = client.get("/.well-known/portfolio-keys.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == json.loads((signing_key_dir / "keys.json").read_text())
    published = {key["key_id"]: key for key in response.json()["keys"]}
    assert published[key_id]["centre"] == 11
    assert published[key_id]["public_key"].startswith("-----BEGIN PUBLIC KEY-----")


def test_the_published_key_set_holds_no_private_key(client):
    sign(11, b"record")
    assert b"PRIVATE" not in client.get("/.well-known/portfolio-keys.json").content
