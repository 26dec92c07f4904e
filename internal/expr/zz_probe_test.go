package expr

import (
	"context"
	"testing"
)

func TestZZProbe(t *testing.T) {
	probes := []string{
		`context.Deployment.Gateway.Id`, `context.Deployment.Gateway.IsManaged`, `context.Deployment.Gateway.InstanceId`,
		`context.Product.Apis.Count()`, `context.Request.PrivateEndpointConnection == null`, `context.User.Identities`,
		`context.Workspace.Id`, `context.LastError.HttpErrorCode`, `context.Request.Url.ToString()`, `context.Request.OriginalUrl.ToUri().ToString()`,
		`context.Request.Body.As<XNode>(true).ToString()`, `context.Request.Body.As<JToken>(preserveContent: true).ToString()`,
		`context.Request.Body.AsFormUrlEncodedContent(true).ToFormUrlEncodedContent()`, `context.Request.Body.AsFormUrlEncodedContent(true).ToQueryString()`,
		`context.Request.Headers.GetValueOrDefault("Accept", "")`, `context.Request.Url.Query.GetValueOrDefault("b", "")`,
		`context.Variables.GetValueOrDefault<string>("x")`, `context.Variables.GetValueOrDefault<int>("i", 3)`,
		`context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt().Claims.GetValueOrDefault("aud", "")`,
		`context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt().Audiences.Count()`,
		`"Basic dXNlcjpwYXNz".AsBasic().UserId`, `context.Api.SubscriptionKeyParameterNames.Header`, `context.Api.IsCurrentRevision`,
		`context.Product.State`, `context.Subscription.EndDate`, `context.User == null`, `context.Api.ServiceUrl.Host`,
		`context.Request.Certificate == null`, `context.Deployment.Certificates.Count`, `context.Request.MatchedParameters["id"]`,
		`context.Elapsed.TotalMilliseconds >= 0`, `context.RequestId.ToString().Length`, `context.Operation.UrlTemplate`,
		`new byte[16].Encrypt(Aes.Create())`, `Aes.Create().KeySize`, `new byte[16].Encrypt("TripleDES", new byte[24], new byte[8]).Length`,
		`new byte[16].Encrypt("Rijndael", new byte[16], new byte[16]).Length`,
		`CipherMode.CBC`, `PaddingMode.PKCS7`, `new RNGCryptoServiceProvider().GetBytes(new byte[4])`,
		`KeyedHashAlgorithm.Create("HMACSHA256")`, `HMAC.Create("HMACSHA256")`, `SHA256.Create().HashSize`, `MD5.Create().ComputeHash(new byte[1]).Length`,
		`new HMACSHA256(new byte[1]).HashSize`, `SHA256.Create().TransformFinalBlock(new byte[1],0,1)`, `SHA256.Create().Hash`,
		`new Oid("1.2.3").Value`, `X509ContentType.Pfx`, `JsonConvert.SerializeObject(new { a = 1 })`, `Formatting.Indented`,
		`JTokenType.Object`, `new JRaw("1").ToString()`, `new JConstructor("x").ToString()`, `Uri.EscapeDataString("a b")`, `UriPartial.Path`,
		`new Uri("http://a/b?c").GetLeftPart(UriPartial.Path)`, `new StringWriter().ToString()`, `new StringReader("ab").ReadToEnd()`,
		`new UriBuilder("http://a/").Uri.ToString()`, `SByte.MaxValue`, `Int16.MaxValue`, `UInt16.MaxValue`, `UInt32.MaxValue`, `UInt64.MaxValue`,
		`Enum.Parse(typeof(DayOfWeek), "Monday")`, `MidpointRounding.AwayFromZero`, `TimeZone.CurrentTimeZone`, `new Tuple<int,int>(1,2).Item1`,
		`Tuple.Create(1,2).Item2`, `StringComparer.OrdinalIgnoreCase.Equals("a","A")`, `new Random(1).Next(10)`, `Nullable.GetUnderlyingType(typeof(int?))`,
		`BitConverter.IsLittleEndian`, `WebUtility.UrlEncode("a b")`, `new Queue<int>().Count`, `new Stack<int>().Count`, `new HashSet<int>().Count`,
		`XmlNodeType.Element`, `new XNodeEqualityComparer().Equals(null, null)`, `new XProcessingInstruction("a","b").ToString()`,
		`new XDocumentType("html", null, null, null).ToString()`, `XNode.DocumentOrderComparer`, `new XDeclaration("1.0","utf-8",null).ToString()`,
		`Regex.Unescape("a\\.b")`, `Regex.Match("ab","a").Result("$0")`, `Match.Empty.Success`, `new Regex("a").Split("bab").Length`,
		`IPAddress.Loopback.ToString()`, `IPAddress.Any`, `Math.Clamp(5,1,3)`, `Convert.ToHexString(new byte[]{1})`, `TimeZoneInfo.Utc.Id`,
		`Guid.Empty`, `DateTimeOffset.UtcNow.Offset`, `new Exception("x").Message`, `Array.Empty<int>().Length`, `Array.IndexOf(new[]{1,2},2)`,
		`SymmetricAlgorithm.Create("Aes")`, `AsymmetricAlgorithm.Create("RSA")`, `RSA.Create().ExportParameters(false).Modulus.Length`,
	}
	for _, src := range probes {
		p, diags := Compile("@("+src+")", nil)
		if diags.HasErrors() {
			t.Logf("COMPILE %s: %s", src, diags)
			continue
		}
		v, err := p.Eval(context.Background(), testContext(t))
		if err != nil {
			t.Logf("EVAL %s: %v", src, err)
			continue
		}
		t.Logf("OK %s => %s", src, ToString(v))
	}
}
