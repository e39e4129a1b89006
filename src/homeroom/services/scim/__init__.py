"""SCIM 2.0 provisioning (RFC 7643, RFC 7644) over Homeroom's use cases; docs/scim.md.

`protocol.serve` answers one request as the caller with scim2-server's handler; `storage` is what that
handler reads and writes through; `users` and `groups` map SCIM resources onto accounts and classes and
call the same services as the REST API, so every SCIM write is authorized and audited; `filters` turns
SCIM filters into the store's conditions (store/scim.py holds the SQL); `placement` decides where what an
identity provider creates without saying where goes; `models` declares what is served.
"""
