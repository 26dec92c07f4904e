package expr

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/tollgate/tollgate/internal/jsonx"
)

// TestContextExtras reads the context members that the test context leaves
// unset: the gateway, workspace, private endpoint, user identities, product
// APIs, and an XML body read as XNode.
func TestContextExtras(t *testing.T) {
	c := testContext(t)
	c.Deployment.Gateway = &Gateway{Id: "gw-eu", InstanceId: "pod-1"}
	c.Workspace = &Workspace{Id: "/workspaces/ws1", Name: "ws1"}
	c.Request.PrivateEndpointConnection = &PrivateEndpointConnection{Name: "pe", GroupId: "Gateway", MemberName: "Gateway"}
	c.User = &User{Id: "u1", Identities: []UserIdentity{{Id: "a@b", Provider: "Basic"}, {Id: "oid", Provider: "AadB2C"}}}
	c.Product.Apis = []*Api{{Id: "echo", Name: "Echo"}, {Id: "orders", Name: "Orders"}}
	c.Request.Body = &BytesBody{Data: []byte(`<a><b>1</b></a>`)}
	args, err := jsonx.Parse(`{"id":"42"}`)
	if err != nil {
		t.Fatal(err)
	}
	c.GraphQL = &GraphQL{Arguments: args}
	pemData, err := os.ReadFile(filepath.Join("testdata", "crypto", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemData)
	cert, err := NewCertificate(blk.Bytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Request.Certificate = cert
	c.Deployment.Certificates = map[string]*Certificate{cert.Thumbprint: cert}
	cases := []struct{ src, want string }{
		{`context.Deployment.Gateway.Id + "/" + context.Deployment.Gateway.InstanceId + "/" + context.Deployment.Gateway.IsManaged`, "gw-eu/pod-1/False"},
		{`context.Workspace.Id + " " + context.Workspace.Name`, "/workspaces/ws1 ws1"},
		{`context.Request.PrivateEndpointConnection.Name + context.Request.PrivateEndpointConnection.GroupId + context.Request.PrivateEndpointConnection.MemberName`, "peGatewayGateway"},
		{`string.Join(",", context.User.Identities.Select(i => i.Provider + ":" + i.Id))`, "Basic:a@b,AadB2C:oid"},
		{`string.Join(",", context.Product.Apis.Select(a => a.Name))`, "Echo,Orders"},
		{`context.Request.Body.As<XNode>(preserveContent: true).ToString()`, "<a>\n  <b>1</b>\n</a>"},
		{`context.Request.Certificate.SubjectName.Name == "CN=client.tollgate.test, O=Tollgate Test, C=NL"`, "True"},
		{`context.Request.Certificate.Thumbprint + " " + context.Request.Certificate.HasPrivateKey`, "BE9C48CD0CDF9DDB503CCBE0C03AA4F0705DE83B False"},
		{`(string)context.GraphQL.Arguments["id"] + " " + (context.GraphQL.Parent == null)`, "42 True"},
		{`context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint)`, "True"},
	}
	for _, tc := range cases {
		p, diags := Compile("@("+tc.src+")", nil)
		if diags.HasErrors() {
			t.Errorf("%s: %s", tc.src, diags)
			continue
		}
		v, err := p.Eval(context.Background(), c)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if got := ToString(v); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.src, got, tc.want)
		}
	}
}
