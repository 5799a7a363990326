"""fakecloud.py: a local HTTP server that answers like the clouds' APIs.

It serves the clouds' published sample responses (tests/data) on
127.0.0.1 for the provider tests, checks the signatures clients send with
its own implementation of each scheme, and misbehaves on request.

    python3 fakecloud.py DATADIR

prints the port it listens on, then serves until stdin closes (so it dies
with the test that started it).  The first path segment picks a scenario:

    ok        the samples, filters checked
    paged     two pages joined by a token
    repeat    a page token that never changes
    401 403 429 500   the cloud's error body with that status
    hang      answers nothing for 5 s
    truncated promises more bytes than it sends
    malformed a body that is not what the API returns
    huge      a 20 MB body
    lab       Nova servers built from the published sample, one per entry
              of the JSON file named by $FAKECLOUD_LAB, re-read on every
              request: {"fail": false, "servers": [{"id", "name", "addr",
              "status"}]}; "fail": true answers 503
"""
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import socketserver
import sys
import threading
import time
import urllib.parse

DATA = sys.argv[1] if len(sys.argv) > 1 else "tests/data"
AWS_KEYS = {"AKIDTEST": "tunneld/test+secret/KEY"}
IMDS_TOKEN = "imds-session-token"

OS_USERS = {("tunneld", "Default", "os+secret/pass", "pod", "Default")}
OS_APPCREDS = {"appcred-id": "appcred+secret"}
OS_TOKENS = set()
OS_REVOKED_ONCE = set()
OS_LOCK = threading.Lock()
NOVA_SAMPLE_HOST = b"http://23.253.248.171:8774"
CS_KEYS = {"csapikey": "cs+secret/key"}


GCE_EMAIL = "tunneld@test-project.iam.gserviceaccount.com"
GCE_TOKENS = set()
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


TOKENS_ISSUED = [0]
REVOKED = {}    # scenario -> the one token "revoked" turned away


def issue_token(prefix):
    """A new bearer token the fake ARM and Compute APIs will accept."""
    with OS_LOCK:
        TOKENS_ISSUED[0] += 1
        token = "%s-%d" % (prefix, TOKENS_ISSUED[0])
        GCE_TOKENS.add(token)
    return token


def revoke_first(scenario, token):
    """Scenario "revoked": the first token used is refused once, as if it
    had been revoked before it expired; a new one is accepted."""
    if scenario != "revoked":
        return False
    with OS_LOCK:
        if scenario in REVOKED:
            return False
        REVOKED[scenario] = token
        GCE_TOKENS.discard(token)
    return True


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def rs256_verify(signing_input, sig, n, e):
    """RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 section 8.2.2)."""
    k = (n.bit_length() + 7) // 8
    if len(sig) != k:
        return False
    em = pow(int.from_bytes(sig, "big"), e, n).to_bytes(k, "big")
    t = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
    want = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(em, want)


def gce_check_jwt(jwt, audience):
    """Verify a service-account assertion (RFC 7523); None or a reason."""
    with open(os.environ["FAKECLOUD_GCE_PUBKEY"]) as f:
        n_hex, e_hex = f.read().split()
    try:
        h64, c64, s64 = jwt.split(".")
        header = json.loads(b64url_decode(h64))
        claims = json.loads(b64url_decode(c64))
        sig = b64url_decode(s64)
    except ValueError:
        return "not a JWT"
    if header.get("alg") != "RS256":
        return "not RS256"
    if not rs256_verify((h64 + "." + c64).encode(), sig, int(n_hex, 16),
                        int(e_hex, 16)):
        return "bad signature"
    now = time.time()
    if (claims.get("iss") != GCE_EMAIL or claims.get("aud") != audience or
            "compute" not in claims.get("scope", "") or
            abs(claims.get("iat", 0) - now) > 300 or
            claims.get("exp", 0) - claims.get("iat", 0) > 3600):
        return "bad claims"
    return None


def cloudstack_check(params):
    """Verify a CloudStack signature as the developer guide describes."""
    params = dict(params)
    sig = params.pop("signature", None)
    secret = CS_KEYS.get(params.get("apikey"))
    if sig is None or secret is None:
        return "unknown api key"

    def java_encode(v):
        return urllib.parse.quote(v, safe=".-*_").replace("~", "%7E")
    pairs = sorted(("%s=%s" % (k, java_encode(v))).lower()
                   for k, v in params.items())
    digest = hmac.new(secret.encode(), "&".join(pairs).encode(),
                      hashlib.sha1).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode(), sig):
        return "signature does not match"
    return None
NOVA_DOC_HOST = b"http://openstack.example.com"


def read(rel):
    with open(os.path.join(DATA, rel), "rb") as f:
        return f.read()


def imds_values():
    doc = json.loads(read("aws/imds/aemm-metadata-default-values.json"))
    return doc["metadata"]["values"]


# The role credentials the mock IMDS hands out also sign EC2 requests.
_creds = imds_values()["iam-security-credentials"]
AWS_KEYS[_creds["AccessKeyId"]] = _creds["SecretAccessKey"]
AWS_TOKENS = {_creds["AccessKeyId"]: _creds["Token"]}


def sha256_hex(b):
    return hashlib.sha256(b).hexdigest()


def aws_check(method, path, query, headers, body):
    """Verify an AWS SigV4 Authorization header; returns None or a reason."""
    authz = headers.get("authorization", "")
    if not authz.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 authorization"
    fields = dict(p.strip().split("=", 1) for p in authz[17:].split(","))
    ak, date, region, service, term = fields["Credential"].split("/")
    if ak not in AWS_KEYS or term != "aws4_request":
        return "unknown access key"
    signed = fields["SignedHeaders"].split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return "host and x-amz-date must be signed"
    canon_headers = "".join(
        "%s:%s\n" % (h, " ".join(headers[h].split())) for h in signed)
    pairs = sorted(
        (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    canon_query = "&".join("%s=%s" % kv for kv in pairs)
    creq = "\n".join([method, path, canon_query, canon_headers,
                      fields["SignedHeaders"], sha256_hex(body)])
    scope = "/".join([date, region, service, term])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers["x-amz-date"], scope,
                     sha256_hex(creq.encode())])
    key = ("AWS4" + AWS_KEYS[ak]).encode()
    for part in (date, region, service, term):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    want = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, fields["Signature"]):
        return "signature does not match"
    if ak in AWS_TOKENS and (headers.get("x-amz-security-token") !=
                             AWS_TOKENS[ak] or
                             "x-amz-security-token" not in signed):
        return "temporary credentials without their session token"
    return None


EC2_ERRORS = {
    "401": (401, "AuthFailure"),
    "403": (403, "UnauthorizedOperation"),
    "429": (429, "RequestLimitExceeded"),
    "500": (500, "InternalError"),
}


def ec2_error(code):
    return ("<Response><Errors><Error><Code>%s</Code><Message>fake %s"
            "</Message></Error></Errors><RequestID>x</RequestID></Response>"
            % (code, code)).encode()


def with_token(xml, token):
    """A DescribeInstances page with a nextToken element added."""
    end = b"</DescribeInstancesResponse>"
    return xml.replace(end, b"<nextToken>" + token.encode() + b"</nextToken>"
                       + end)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        # Everything the server saw goes to stderr, which the test reads to
        # prove no secret was sent in the clear where it should not be.
        sys.stderr.write("fakecloud: " + (fmt % args) + "\n")

    def send(self, status, body, ctype="text/xml", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def misbehave(self, scenario):
        """Scenarios that do not depend on the API; True if handled."""
        if scenario == "hang":
            time.sleep(5)
            self.close_connection = True
            return True
        if scenario == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<DescribeInstancesResponse><reservationSet>")
            self.close_connection = True
            return True
        if scenario == "malformed":
            self.send(200, b"<DescribeInstancesResponse><reservationSet>"
                      b"<item><instancesSet><item>")
            return True
        if scenario == "huge":
            self.send(200, b"<x>" + b" " * (20 << 20) + b"</x>")
            return True
        return False

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        scenario = url.path.strip("/").split("/")[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.misbehave(scenario):
            return
        if "authorization" in headers and headers["authorization"].startswith(
                "AWS4"):
            return self.ec2(scenario, url, headers, body)
        if url.path.endswith("/keystone/v3/auth/tokens"):
            return self.keystone(scenario, body)
        if url.path.endswith("/gce/token"):
            return self.gce_token(scenario, body)
        if "/azure/login/" in url.path:
            return self.azure_token(scenario, url, body)
        self.send(404, b"no such API here")

    def do_PUT(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path.endswith("/imds/latest/api/token") and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.send(200, IMDS_TOKEN.encode(), "text/plain")
        self.send(400, b"bad request", "text/plain")

    def imds(self, scenario, url):
        if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
            return self.send(401, read("aws/imds/aemm-golden-401-response."
                                       "html"), "text/html")
        values = imds_values()
        role = values["iam-security-credentials-role"]
        base = "/latest/meta-data/iam/security-credentials/"
        path = url.path[url.path.index("/latest/"):]
        if path == base:
            return self.send(200, b"" if scenario == "norole"
                             else role.encode(), "text/plain")
        if path == base + role:
            return self.send(200, json.dumps(values["iam-security-"
                                             "credentials"]).encode(),
                             "text/plain")
        self.send(404, b"not found", "text/plain")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        scenario = url.path.strip("/").split("/")[0]
        if self.misbehave(scenario):
            return
        if "/imds/latest/" in url.path:
            return self.imds(scenario, url)
        if "/nova/" in url.path:
            return self.nova(scenario, url)
        if url.path.endswith("/client/api"):
            return self.cloudstack(scenario, url)
        if "/gce/compute/" in url.path:
            return self.gce_list(scenario, url)
        if url.path.endswith("/gce/metadata/computeMetadata/v1/instance/"
                             "service-accounts/default/token"):
            return self.gce_metadata_token()
        if "/azure/arm/" in url.path:
            return self.azure_list(scenario, url)
        if url.path.endswith("/azure/imds/metadata/identity/oauth2/token"):
            return self.azure_identity(scenario, url)
        self.send(404, b"no such API here")

    def gce_token(self, scenario, body):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        audience = (self.base(scenario) + b"/gce/token").decode()
        if form.get("grant_type") != \
                "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self.send(400, b'{"error": "unsupported_grant_type"}',
                             "application/json")
        if gce_check_jwt(form.get("assertion", ""), audience):
            return self.send(400, b'{"error": "invalid_grant"}',
                             "application/json")
        if scenario in ("401", "403", "429", "500"):
            extra = [("Retry-After", "7")] if scenario == "429" else []
            return self.send(int(scenario), b'{"error": "fake"}',
                             "application/json", extra)
        token = issue_token("gce-tok")
        # "forever": a lifetime no time_t can add to the clock.
        ttl = 9223372036854775807 if scenario == "forever" else 3599
        self.send(200, json.dumps({"access_token": token, "expires_in": ttl,
                                   "token_type": "Bearer"}).encode(),
                  "application/json")

    def gce_metadata_token(self):
        # The metadata server answers only requests that say they mean it.
        if self.headers.get("Metadata-Flavor") != "Google":
            return self.send(403, b"Missing Metadata-Flavor:Google header.",
                             "text/html")
        token = issue_token("gce-md-tok")
        self.send(200, json.dumps({"access_token": token, "expires_in": 3599,
                                   "token_type": "Bearer"}).encode(),
                  "application/json")

    def gce_list(self, scenario, url):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in GCE_TOKENS or \
                revoke_first(scenario, auth[7:]):
            return self.send(401, b'{"error": "token"}', "application/json")
        q = dict(urllib.parse.parse_qsl(url.query))
        if q.get("filter") != "labels.tunneld=pod":
            return self.send(400, b'{"error": "filter"}', "application/json")
        if "/projects/test-project/zones/us-central1-a/instances" in url.path:
            return self.send(200, read("gce/libcloud-zones-us-central1-a-"
                                       "instances.json"), "application/json")
        if "/projects/test-project/zones/" in url.path:
            return self.send(200, b'{"kind": "compute#instanceList"}',
                             "application/json")
        if not url.path.endswith("/projects/test-project/aggregated/instances"):
            return self.send(404, b'{"error": "not found"}', "application/json")
        agg = read("gce/libcloud-aggregated-instances.json")
        if scenario == "paged" and "pageToken" not in q:
            doc = json.loads(read("gce/libcloud-zones-us-central1-a-"
                                  "instances.json"))
            doc["nextPageToken"] = "page two"
            return self.send(200, json.dumps(doc).encode(), "application/json")
        if scenario == "repeat":
            doc = json.loads(agg)
            doc["nextPageToken"] = "again"
            return self.send(200, json.dumps(doc).encode(), "application/json")
        self.send(200, agg, "application/json")

    def azure_token(self, scenario, url, body):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        mgmt = (self.base(scenario) + b"/azure/arm").decode()
        if not url.path.endswith("/azure/login/tenant1/oauth2/v2.0/token") \
                or form.get("grant_type") != "client_credentials" \
                or form.get("scope") != mgmt + "/.default":
            return self.send(400, b'{"error": "invalid_request"}',
                             "application/json")
        if (form.get("client_id"), form.get("client_secret")) != (
                "az-client", "az+secret"):
            return self.send(401, b'{"error": "invalid_client"}',
                             "application/json")
        if scenario in ("403", "429", "500"):
            extra = [("Retry-After", "7")] if scenario == "429" else []
            return self.send(int(scenario), b'{"error": "fake"}',
                             "application/json", extra)
        token = issue_token("az-tok")
        self.send(200, json.dumps({"token_type": "Bearer", "expires_in": 3599,
                                   "access_token": token}).encode(),
                  "application/json")

    def azure_identity(self, scenario, url):
        q = dict(urllib.parse.parse_qsl(url.query))
        mgmt = (self.base(scenario) + b"/azure/arm/").decode()
        if self.headers.get("Metadata") != "true" or \
                q.get("resource") != mgmt or "api-version" not in q:
            return self.send(400, b'{"error": "invalid_request"}',
                             "application/json")
        token = issue_token("az-mi-tok")
        # IMDS gives expires_in as a string.
        self.send(200, json.dumps({"access_token": token, "expires_in": "3599",
                                   "resource": mgmt, "token_type": "Bearer"}
                                  ).encode(), "application/json")

    def azure_body(self, name):
        """A spec example's 200 body with its placeholders filled."""
        doc = json.loads(read("azure/" + name))["responses"]["200"]["body"]
        for i, v in enumerate(doc["value"]):
            text = json.dumps(v)
            for ph, val in (("{subscriptionId}", "subid"),
                            ("{resourceGroupName}", "rg1"),
                            ("{networkInterfaceName}", "test-nic"),
                            ("{virtualMachineName}", "vm%d" % (i + 1))):
                text = text.replace(ph, val)
            doc["value"][i] = json.loads(text)
        return doc

    def azure_list(self, scenario, url):
        auth = self.headers.get("Authorization", "")
        # "revoked" turns the token away on the second list, the NICs, so
        # that the provider must go on where it was, not start again.
        if not auth.startswith("Bearer ") or auth[7:] not in GCE_TOKENS or \
                ("networkInterfaces" in url.path and
                 revoke_first(scenario, auth[7:])):
            return self.send(401, b'{"error": "token"}', "application/json")
        prefix = "/%s/azure/arm/subscriptions/subid/providers/" % scenario
        q = dict(urllib.parse.parse_qsl(url.query))
        lists = {
            "Microsoft.Compute/virtualMachines": (
                "2024-11-01", "arm-compute-2024-11-01-VirtualMachine_"
                "ListBySubscription_ByLocation.json"),
            "Microsoft.Network/networkInterfaces": (
                "2024-05-01", "arm-network-2024-05-01-NetworkInterface"
                "ListAll.json"),
            "Microsoft.Network/publicIPAddresses": (
                "2024-05-01", "arm-network-2024-05-01-PublicIpAddress"
                "List.json"),
        }
        kind = url.path[len(prefix):] if url.path.startswith(prefix) else ""
        if kind not in lists or q.get("api-version") != lists[kind][0]:
            return self.send(404, b'{"error": "not found"}', "application/json")
        doc = self.azure_body(lists[kind][1])
        if kind.endswith("virtualMachines") and scenario in ("paged", "evil"):
            host = "127.0.0.2" if scenario == "evil" else "127.0.0.1"
            if q.get("page") == "2":
                doc["value"] = doc["value"][1:]
            else:
                doc["value"] = doc["value"][:1]
                doc["nextLink"] = (self.base(scenario, host).decode() +
                                   "/azure/arm" + url.path[len(
                                       "/%s/azure/arm" % scenario):] +
                                   "?api-version=2024-11-01&page=2")
        self.send(200, json.dumps(doc).encode(), "application/json")

    def cloudstack(self, scenario, url):
        params = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        q = dict(params)

        def error(status, text):
            body = json.dumps({"listvirtualmachinesresponse": {
                "errorcode": status, "errortext": text}}).encode()
            extra = [("Retry-After", "7")] if status == 429 else []
            self.send(status, body, "application/json", extra)
        if cloudstack_check(params):
            return error(432, "unable to verify user credentials and/or "
                         "request signature")
        if (q.get("command"), q.get("tags[0].key"), q.get("tags[0].value")) \
                != ("listVirtualMachines", "tunneld", "pod"):
            return error(431, "bad parameters")
        if scenario in ("401", "403", "429", "500"):
            return error(int(scenario), "fake error " + scenario)
        first = json.loads(read("cloudstack/libcloud-listVirtualMachines.json"))
        vms = first["listvirtualmachinesresponse"]["virtualmachine"]
        if scenario == "ok":
            return self.send(200, json.dumps(first).encode(),
                             "application/json")
        go = json.loads(read("cloudstack/cloudstack-go-VirtualMachineService."
                             "json"))["listVirtualMachines"]["listVirtualMachines"]
        total = len(vms) + len(go["virtualmachine"])
        if scenario == "paged":
            page = first if q.get("page") == "1" else {
                "listvirtualmachinesresponse": go}
            page["listvirtualmachinesresponse"]["count"] = total
            return self.send(200, json.dumps(page).encode(),
                             "application/json")
        if scenario == "repeat":
            first["listvirtualmachinesresponse"]["count"] = 10000
            return self.send(200, json.dumps(first).encode(),
                             "application/json")
        self.send(404, b"no such scenario")

    def base(self, scenario, host="127.0.0.1"):
        return ("http://%s:%d/%s" % (host, self.server.server_address[1],
                                     scenario)).encode()

    def keystone(self, scenario, body):
        if scenario in ("401", "403", "429", "500"):
            extra = [("Retry-After", "7")] if scenario == "429" else []
            return self.send(int(scenario), b'{"error": {"code": %s}}'
                             % scenario.encode(), "application/json", extra)
        try:
            ident = json.loads(body)["auth"]["identity"]
            if ident["methods"] == ["password"]:
                u = ident["password"]["user"]
                proj = json.loads(body)["auth"]["scope"]["project"]
                ok = (u["name"], u["domain"]["name"], u["password"],
                      proj["name"], proj["domain"]["name"]) in OS_USERS
            else:
                ac = ident["application_credential"]
                ok = OS_APPCREDS.get(ac["id"]) == ac["secret"]
        except (KeyError, TypeError, ValueError):
            return self.send(400, b'{"error": "bad request"}',
                             "application/json")
        if not ok:
            return self.send(401, b'{"error": {"code": 401}}',
                             "application/json")
        doc = json.loads(read("openstack/keystone-auth-tokens-token-scoped-"
                              "response-full-catalog.json"))
        expiry = datetime.datetime.utcnow() + datetime.timedelta(hours=1)
        doc["token"]["expires_at"] = expiry.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        out = json.dumps(doc).encode().replace(
            NOVA_SAMPLE_HOST, self.base(scenario) + b"/nova")
        with OS_LOCK:
            token = "tok-%d" % (len(OS_TOKENS) + 1)
            OS_TOKENS.add(token)
        self.send(201, out, "application/json", [("X-Subject-Token", token)])

    def nova(self, scenario, url):
        token = self.headers.get("X-Auth-Token")
        with OS_LOCK:
            known = token in OS_TOKENS
            if scenario == "revoked" and known and token not in OS_REVOKED_ONCE:
                OS_REVOKED_ONCE.add(token)
                OS_TOKENS.discard(token)
                known = False
        if not known:
            return self.send(401, b'{"error": "token"}', "application/json")
        if self.headers.get("OpenStack-API-Version") != "compute 2.26":
            return self.send(400, b'{"error": "microversion"}',
                             "application/json")
        query = dict(urllib.parse.parse_qsl(url.query))
        if not url.path.endswith("/servers/detail") or (
                "marker" not in query and query.get("tags") != "tunneld=pod"):
            return self.send(400, b'{"error": "filter"}', "application/json")
        self_url = self.base(scenario) + b"/nova"
        if scenario == "lab":
            return self.nova_lab()
        if scenario in ("ok", "revoked"):
            return self.send(200, read("openstack/nova-servers-detail-v2.26-"
                                       "tags.json"), "application/json")
        page1 = read("openstack/nova-servers-detail-v2.100.json")
        if scenario == "paged" and "marker" in query:
            return self.send(200, read("openstack/libcloud-servers-detail-"
                                       "floating.json"), "application/json")
        if scenario == "paged":
            return self.send(200, page1.replace(NOVA_DOC_HOST, self_url),
                             "application/json")
        if scenario == "repeat":
            doc = json.loads(page1)
            doc["servers_links"][0]["href"] = (self_url.decode() + url.path
                                               [url.path.index("/v2.1"):] +
                                               "?" + url.query)
            return self.send(200, json.dumps(doc).encode(), "application/json")
        if scenario == "evil":
            return self.send(200, page1.replace(
                NOVA_DOC_HOST, self.base(scenario, "127.0.0.2") + b"/nova"),
                "application/json")
        if scenario == "downcell":
            return self.send(200, read("openstack/nova-servers-detail-v2.69-"
                                       "down-cell.json"), "application/json")
        self.send(404, b"no such scenario")

    def nova_lab(self):
        with open(os.environ["FAKECLOUD_LAB"]) as f:
            lab = json.load(f)
        if lab.get("fail"):
            return self.send(503, b'{"error": "lab outage"}',
                             "application/json")
        sample = json.loads(read("openstack/nova-servers-detail-v2.26-"
                                 "tags.json"))["servers"][0]
        servers = []
        for entry in lab["servers"]:
            srv = json.loads(json.dumps(sample))
            addr = dict(sample["addresses"]["private"][0], addr=entry["addr"])
            srv.update(id=entry["id"], name=entry["name"],
                       status=entry.get("status", "ACTIVE"),
                       addresses={"private": [addr]}, tags=["tunneld=pod"])
            servers.append(srv)
        self.send(200, json.dumps({"servers": servers}).encode(),
                  "application/json")

    def ec2(self, scenario, url, headers, body):
        why = aws_check("POST", url.path, url.query, headers, body)
        if why:
            return self.send(403, ec2_error("SignatureDoesNotMatch"))
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if form.get("Action") != "DescribeInstances":
            return self.send(400, ec2_error("InvalidAction"))
        if (form.get("Filter.1.Name"), form.get("Filter.1.Value.1")) != (
                "tag:tunneld", "pod"):
            return self.send(400, ec2_error("InvalidParameterValue"))
        if scenario in EC2_ERRORS:
            status, code = EC2_ERRORS[scenario]
            extra = [("Retry-After", "7")] if status == 429 else []
            return self.send(status, ec2_error(code), extra=extra)
        page1 = read("aws/botocore-ec2-describe-instances.xml")
        page2 = read("aws/libcloud-ec2-describe-instances-vpc.xml")
        if scenario == "ok":
            return self.send(200, page1)
        if scenario == "repeat":
            return self.send(200, with_token(page1, "same-token"))
        if scenario == "paged":
            token = form.get("NextToken")
            if token is None:
                return self.send(200, with_token(page1, "page/2+"))
            if token == "page/2+":
                return self.send(200, page2)
            return self.send(400, ec2_error("InvalidNextToken"))
        self.send(404, b"no such scenario")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdin.read()        # until the test closes our stdin or exits
    srv.shutdown()


if __name__ == "__main__":
    main()
