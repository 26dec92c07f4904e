package expr

import (
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/diag"
)

// evalCrypto compiles and runs one expression, returning its result as
// ToString prints it or the error.
func evalCrypto(t *testing.T, src string) string {
	t.Helper()
	if !strings.HasPrefix(src, "@{") {
		src = "@(" + src + ")"
	}
	prog, diags := Compile(src, fileOrigin{diag.NewFile("test", []byte(src)), 0})
	if diags.HasErrors() {
		t.Fatalf("%s: %s", src, diags.String())
	}
	prog.Now = func() time.Time { return time.Date(2024, 3, 15, 10, 30, 45, 0, time.UTC) }
	v, err := prog.Eval(context.Background(), testContext(t))
	if err != nil {
		return "error: " + err.Error()
	}
	return ToString(v)
}

// catchAll wraps a statement so that the expression returns the type and
// message of the exception it throws.
func catchAll(stmt string) string {
	return `@{ try { ` + stmt + `; return "no exception"; } catch (Exception e) { return e.GetType().FullName + ": " + e.Message; } }`
}

func testCert(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/crypto/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	s = s[strings.Index(s, "\n")+1 : strings.Index(s, "-----END")]
	return `new X509Certificate2(Convert.FromBase64String("` + strings.ReplaceAll(s, "\n", "") + `"))`
}

func TestCryptoMoreErrors(t *testing.T) {
	cert := testCert(t)
	cases := []struct{ src, want string }{
		// The parameterless factories throw; the named ones still work.
		{catchAll("SymmetricAlgorithm.Create(\"AES\").KeySize.ToString(); HMAC.Create()"), "System.PlatformNotSupportedException: This platform does not allow the automatic selection of an algorithm."},
		{`HMAC.Create("HMACSHA256").HashSize`, "256"},
		{`HMACSHA256.HashSizeInBytes + " " + SHA1.HashSizeInBits + " " + SHA512.HashSizeInBytes`, "32 160 64"},
		{catchAll("new HMACSHA1(null, false)"), "System.ArgumentNullException: Value cannot be null. (Parameter 'key')"},
		// RNGCryptoServiceProvider.GetBytes(data, offset, count)
		{catchAll("new RNGCryptoServiceProvider().GetBytes(new byte[4], -1, 2)"), "System.ArgumentOutOfRangeException: offset ('-1') must be a non-negative value. (Parameter 'offset')\nActual value was -1."},
		{catchAll("new RNGCryptoServiceProvider().GetBytes(new byte[4], 0, -2)"), "System.ArgumentOutOfRangeException: count ('-2') must be a non-negative value. (Parameter 'count')\nActual value was -2."},
		{catchAll("new RNGCryptoServiceProvider().GetBytes(new byte[4], 3, 2)"), "System.ArgumentException: Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection."},
		{catchAll("new RNGCryptoServiceProvider().GetBytes(null, 0, 0)"), "System.ArgumentNullException: Value cannot be null. (Parameter 'data')"},
		// Key and feedback sizes
		{`SymmetricAlgorithm.Create("TripleDES").ValidKeySize(128) + " " + SymmetricAlgorithm.Create("TripleDES").ValidKeySize(256) + " " + SymmetricAlgorithm.Create("DES").ValidKeySize(64) + " " + Aes.Create().ValidKeySize(256)`, "True False True True"},
		{`SymmetricAlgorithm.Create("TripleDES").FeedbackSize + " " + SymmetricAlgorithm.Create("DES").FeedbackSize`, "64 64"},
		{catchAll("Aes.Create().FeedbackSize = 136"), "System.Security.Cryptography.CryptographicException: Specified feedback size is invalid."},
		{catchAll("Aes.Create().FeedbackSize = 12"), "System.Security.Cryptography.CryptographicException: Specified feedback size is invalid."},
		// EncryptCfb and DecryptCfb
		{catchAll("Aes.Create().EncryptCfb(new byte[16], new byte[16], PaddingMode.None, 64)"), "System.Security.Cryptography.CryptographicException: The specified feedback size '64' for CipherMode 'CFB' is not supported."},
		{catchAll("Aes.Create().EncryptCfb(new byte[16], new byte[16], PaddingMode.None, 12)"), "System.ArgumentException: Specified feedback size is invalid. (Parameter 'feedbackSizeInBits')"},
		{catchAll("Aes.Create().EncryptCfb(new byte[16], new byte[8])"), "System.ArgumentException: Specified initialization vector (IV) does not match the block size for this algorithm. (Parameter 'iv')"},
		{catchAll("Aes.Create().EncryptCfb(new byte[5], new byte[16], PaddingMode.None, 128)"), "System.ArgumentException: The input data is not a complete feedback-sized block. (Parameter 'plaintextLength')"},
		{catchAll("Aes.Create().EncryptCfb(null, new byte[16])"), "System.ArgumentNullException: Value cannot be null. (Parameter 'plaintext')"},
		{catchAll("var a = Aes.Create(); a.Key = new byte[16]; a.DecryptCfb(new byte[16], new byte[16], PaddingMode.PKCS7, 128)"), "System.Security.Cryptography.CryptographicException: Padding is invalid and cannot be removed."},
		// TripleDES CFB8 and CFB64, as openssl enc -des-ede3-cfb8 / -des-ede3-cfb write them
		{`@{ var a = SymmetricAlgorithm.Create("TripleDES"); a.Key = new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 }; var iv = new byte[8]; return BitConverter.ToString(a.EncryptCfb(Encoding.UTF8.GetBytes("hello"), iv)).Replace("-", "") + " " + BitConverter.ToString(a.EncryptCfb(Encoding.UTF8.GetBytes("hello123"), iv, PaddingMode.None, 64)).Replace("-", ""); }`, "E17C692C0B E12EAF643B179672"},
		{catchAll(`SymmetricAlgorithm.Create("DES").EncryptCfb(new byte[8], new byte[8], PaddingMode.None, 64)`), "System.Security.Cryptography.CryptographicException: The specified feedback size '64' for CipherMode 'CFB' is not supported."},
		// byte[].Encrypt with CipherMode.CFB uses FeedbackSize (CFB8 for Aes)
		{`@{ var a = Aes.Create(); a.Key = new byte[16]; a.IV = new byte[16]; a.Mode = CipherMode.CFB; a.Padding = PaddingMode.None; var c = new byte[3].Encrypt(a); return BitConverter.ToString(c).Replace("-", "") + " " + c.Decrypt(a).Length; }`, "6616F9 3"},
		{`Aes.Create().GetCiphertextLengthCbc(0) + " " + Aes.Create().GetCiphertextLengthCbc(16, PaddingMode.Zeros) + " " + Aes.Create().GetCiphertextLengthCbc(17, PaddingMode.Zeros) + " " + SymmetricAlgorithm.Create("DES").GetCiphertextLengthCbc(8)`, "16 16 32 16"},
		{catchAll("Aes.Create().GetCiphertextLengthCbc(-1)"), "System.ArgumentOutOfRangeException: Non-negative number required. (Parameter 'plaintextLength')"},
		{catchAll("Aes.Create().GetCiphertextLengthCbc(15, PaddingMode.None)"), "System.ArgumentException: The input data is not a complete block. (Parameter 'plaintextLength')"},
		// HashAlgorithmName
		{catchAll(`HashAlgorithmName.FromOid("1.2.3")`), "System.Security.Cryptography.CryptographicException: The specified OID (1.2.3) does not represent a known hash algorithm."},
		{catchAll(`HashAlgorithmName.FromOid(null)`), "System.ArgumentNullException: Value cannot be null. (Parameter 'oidValue')"},
		{`HashAlgorithmName.FromOid("2.16.840.1.101.3.4.2.10").Name + " " + HashAlgorithmName.FromOid("1.2.840.113549.2.5")`, "SHA3-512 MD5"},
		{`@{ var r = RSA.Create(1024); var d = Encoding.UTF8.GetBytes("abc"); return r.VerifyData(d, r.SignData(d, HashAlgorithmName.SHA3_256, RSASignaturePadding.Pss), HashAlgorithmName.SHA3_256, RSASignaturePadding.Pss); }`, "True"},
		// Certificates
		{catchAll(cert + ".Export(X509ContentType.Pkcs7)"), "System.Security.Cryptography.CryptographicException: Invalid content type."},
		{catchAll(cert + ".Export(X509ContentType.SerializedCert)"), "System.PlatformNotSupportedException: X509ContentType.SerializedCert and X509ContentType.SerializedStore are not supported on Unix."},
		{catchAll(cert + ".Export(X509ContentType.Pfx)"), "System.NotSupportedException: tollgate does not export certificates as PKCS#12 (X509ContentType.Pfx)."},
		{catchAll(cert + ".CopyWithPrivateKey(RSA.Create())"), "System.ArgumentException: The provided key does not match the public key for this certificate. (Parameter 'privateKey')"},
		{catchAll(`RSACertificateExtensions.CopyWithPrivateKey(` + cert + `, null)`), "System.ArgumentNullException: Value cannot be null. (Parameter 'privateKey')"},
		{cert + ".ExportCertificatePem().Split('\\n').Length", "20"},
	}
	for _, c := range cases {
		if got := evalCrypto(t, c.src); got != c.want {
			t.Errorf("%s\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

// TestCopyWithPrivateKeyPublicOnly checks that a public key alone cannot
// become a certificate's private key: tollgate raises the
// CryptographicException of a missing private key.
func TestCopyWithPrivateKeyPublicOnly(t *testing.T) {
	cert := testCert(t)
	src := catchAll(`var c = ` + cert + `; c.CopyWithPrivateKey(c.GetRSAPublicKey())`)
	if got, want := evalCrypto(t, src), "System.Security.Cryptography.CryptographicException: Key does not exist."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCopyWithPrivateKeyHasKey checks that a certificate that has a
// private key cannot take another one.
func TestCopyWithPrivateKeyHasKey(t *testing.T) {
	b, err := os.ReadFile("testdata/crypto/cert.pfx")
	if err != nil {
		t.Fatal(err)
	}
	pfx := `new X509Certificate2(Convert.FromBase64String("` + base64.StdEncoding.EncodeToString(b) + `"), "test")`
	src := catchAll(`var c = ` + pfx + `; c.CopyWithPrivateKey(c.GetRSAPrivateKey())`)
	if got, want := evalCrypto(t, src), "System.InvalidOperationException: The certificate already has an associated private key."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
