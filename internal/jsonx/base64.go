package jsonx

import "encoding/base64"

func base64Std(b []byte) []byte { return base64.StdEncoding.AppendEncode(nil, b) }
