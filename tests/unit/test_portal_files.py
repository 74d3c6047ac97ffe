"""The local gateway's `/portal/` (issue 20): the portal's files with the security headers, nothing else."""

from __future__ import annotations

from typing import Any

import boto3
from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

from infra.local.gateway import PORTAL_CSP, PORTAL_HEADERS, PORTAL_ROOT, portal_file
from infra.portal_deploy import publish
from infra.template import ROOT, sam_template


def header(reply: object, name: str) -> str | None:
    return next((v for k, v in reply.headers if k == name), None)  # type: ignore[attr-defined]


def test_the_folder_answers_with_its_page_and_the_security_headers() -> None:
    reply = portal_file("/portal/")
    assert reply.status == 200
    assert b'<html lang="zh-CN">' in reply.body
    assert header(reply, "Content-Type") == "text/html; charset=utf-8"
    assert header(reply, "Content-Security-Policy") == PORTAL_CSP
    assert "frame-ancestors 'none'" in PORTAL_CSP
    assert "script-src 'self'" in PORTAL_CSP
    assert header(reply, "X-Content-Type-Options") == "nosniff"


def test_modules_are_served_as_javascript() -> None:
    reply = portal_file("/portal/pages/catalog.js")
    assert reply.status == 200
    assert header(reply, "Content-Type") == "text/javascript; charset=utf-8"


def test_without_the_slash_it_redirects_so_relative_links_resolve() -> None:
    reply = portal_file("/portal")
    assert (reply.status, header(reply, "Location")) == (301, "/portal/")


def test_nothing_outside_the_folder_is_served() -> None:
    for path in (
        "/portal/../README.md",
        "/portal/%2e%2e/template.yaml",
        "/portal/../infra/local/gateway.py",
        "/portal/nope.js",
    ):
        assert portal_file(path).status == 404, path


# --- the cloud: the portal's bucket, distribution and headers in template.yaml (D-302) ---------------------------


def _directives(csp: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in csp.split(";")) if part}


def _resources() -> dict[str, Any]:
    """The portal's nested stack (one resource in template.yaml, D-302)."""
    return yaml_parse((ROOT / "portal-stack.yaml").read_text(encoding="utf-8"))["Resources"]


def test_cloudfront_sends_the_headers_the_local_gateway_sends() -> None:
    config = _resources()["PortalResponseHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    cloud = _directives(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"])
    local = _directives(PORTAL_CSP)
    # every directive alike but where the page may connect: the loopback locally, the API and the upload buckets
    assert {k: v for k, v in cloud.items() if k != "connect-src"} == {
        k: v for k, v in local.items() if k != "connect-src"
    }
    assert cloud["frame-ancestors"] == "'none'"
    assert cloud["connect-src"] == "'self' ${ConnectSources}"
    nested = sam_template()["Resources"]["PortalStack"]
    assert nested["Properties"]["TemplateURL"] == "portal-stack.yaml"
    assert nested["Properties"]["Parameters"]["ConnectSources"]["Fn::Sub"].split() == [
        "https://${PlatformApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        "https://${MaterialsBucket.RegionalDomainName}",
        "https://${HotlineAttachmentsBucket.RegionalDomainName}",
    ]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == dict(PORTAL_HEADERS)["Referrer-Policy"]
    assert all(header["Override"] is True for header in security.values())


def test_the_distribution_serves_the_private_bucket_over_https_compressed() -> None:
    resources = _resources()
    distribution = resources["PortalDistribution"]["Properties"]["DistributionConfig"]
    behaviour = distribution["DefaultCacheBehavior"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "PortalResponseHeaders"}
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["Compress"] is True
    assert distribution["DefaultRootObject"] == "index.html"
    (origin,) = distribution["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["PortalBucket", "RegionalDomainName"]}
    bucket = resources["PortalBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    statements = resources["PortalBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    readers = [s for s in statements if s["Effect"] == "Allow"]
    assert [s["Principal"] for s in readers] == [
        {"CanonicalUser": {"Fn::GetAtt": ["PortalOriginAccess", "S3CanonicalUserId"]}}
    ]
    assert [s["Action"] for s in readers] == ["s3:GetObject"]


@mock_aws
def test_publishing_uploads_the_served_files_with_the_clouds_api_and_removes_old_ones() -> None:
    s3 = boto3.client("s3", region_name="cn-north-1")
    s3.create_bucket(Bucket="portal", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    s3.put_object(Bucket="portal", Key="pages/retired.js", Body=b"old")

    written = publish(s3, "portal", "https://api.example.cn/prod/")

    assert {"index.html", "app.js", "config.js", "pages/payments.js", "vendor/uqr/index.js"} <= set(written)
    assert not any(key.endswith((".md", "LICENSE")) for key in written)
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="portal")["Contents"]}
    assert keys == set(written)  # the retired module is gone
    config = s3.get_object(Bucket="portal", Key="config.js")
    assert config["Body"].read() == b'globalThis.JSZW_PORTAL = {"apiBase": "https://api.example.cn/prod"};\n'
    module = s3.get_object(Bucket="portal", Key="pages/payments.js")
    assert module["ContentType"] == "text/javascript; charset=utf-8"
    assert module["Body"].read() == (PORTAL_ROOT / "pages" / "payments.js").read_bytes()
