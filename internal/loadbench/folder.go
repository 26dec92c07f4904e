package loadbench

import (
	"os"
	"path/filepath"
	"strings"
)

// The policies of the test folder. The API's policy holds the three
// expression policies the harness measures: a set-variable from a header, a
// choose on a header and a set-header from the URL path. The product's
// rate-limit allows far more calls than any run sends, so that it is
// counted on every request and never throttles.
const (
	globalPolicy = `<policies>
  <inbound />
  <backend>
    <forward-request />
  </backend>
  <outbound />
  <on-error />
</policies>
`
	apiPolicy = `<policies>
  <inbound>
    <base />
    <set-variable name="client" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Client&quot;, &quot;anonymous&quot;))" />
    <choose>
      <when condition="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tier&quot;, &quot;&quot;) == &quot;gold&quot;)">
        <set-header name="X-Tier-Route" exists-action="override">
          <value>gold</value>
        </set-header>
      </when>
      <otherwise>
        <set-header name="X-Tier-Route" exists-action="override">
          <value>standard</value>
        </set-header>
      </otherwise>
    </choose>
    <set-header name="X-Item-Path" exists-action="override">
      <value>@(context.Request.Url.Path)</value>
    </set-header>
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`
	productPolicy = `<policies>
  <inbound>
    <base />
    <rate-limit calls="1000000000" renewal-period="60" />
  </inbound>
  <backend>
    <base />
  </backend>
  <outbound>
    <base />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`
	specification = `openapi: 3.0.1
info:
  title: Load
  version: "1.0"
paths:
  /items/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema:
          type: string
    get:
      operationId: get-item
      responses:
        "200":
          description: OK
    post:
      operationId: post-item
      responses:
        "200":
          description: OK
`
	apiInformation = `{
  "properties": {
    "displayName": "Load",
    "path": "load",
    "serviceUrl": "$BACKEND$/load",
    "protocols": ["http", "https"],
    "subscriptionRequired": true
  }
}
`
	productInformation = `{
  "properties": {
    "displayName": "Load",
    "state": "published",
    "subscriptionRequired": true,
    "approvalRequired": false
  }
}
`
	subscriptionInformation = `{
  "properties": {
    "displayName": "Load",
    "scope": "/products/load",
    "state": "active",
    "primaryKey": "$KEY$"
  }
}
`
)

// sinkPolicies feed the sinks of the tollgate-sinks target: a trace
// message (an OTLP log record) and a log-to-eventhub message (a Kafka
// record) per request, before the API's own policies.
const sinkPolicies = `    <trace source="load" severity="information">
      <message>load request</message>
      <metadata name="tier" value="gold" />
    </trace>
    <log-to-eventhub logger-id="load-events" partition-key="@(context.Subscription.Id)">@(context.Request.Method + " " + context.Request.Url.Path)</log-to-eventhub>
`

// loggerInformation is the Event Hubs logger of the tollgate-sinks target:
// a Kafka topic on the harness's loopback broker.
const loggerInformation = `{
  "properties": {
    "loggerType": "azureEventHub",
    "credentials": { "name": "$TOPIC$", "bootstrapServers": "$KAFKA$" }
  }
}
`

// loggerWithoutBroker is the logger of a target with the sink policies but
// without Kafka: no broker, so its messages stay on the log line.
const loggerWithoutBroker = `{
  "properties": {
    "loggerType": "azureEventHub",
    "credentials": { "name": "$TOPIC$" }
  }
}
`

// SinksTopic is the Kafka topic the tollgate-sinks target's
// log-to-eventhub messages go to.
const SinksTopic = "load-events"

// WriteFolder writes the configuration tollgate serves in the harness into
// dir, in the APIOps layout: API "load" at path /load with the operations
// GET and POST /items/{id}, forwarding to backendURL + "/load"; product
// "load" with a rate-limit, and a subscription to it whose primary key is
// Key.
func WriteFolder(dir, backendURL string) error {
	return writeFolder(dir, backendURL, false, "")
}

// WriteSinksFolder writes the folder of WriteFolder with the policies that
// feed every sink: the API's policy first runs a trace policy and a
// log-to-eventhub to logger "load-events", an Event Hubs logger whose
// topic SinksTopic is on the Kafka broker at kafka (host:port). With kafka
// empty the logger names no broker, and its messages stay on the log line.
func WriteSinksFolder(dir, backendURL, kafka string) error {
	return writeFolder(dir, backendURL, true, kafka)
}

func writeFolder(dir, backendURL string, withSinkPolicies bool, kafka string) error {
	policy := apiPolicy
	if withSinkPolicies {
		policy = strings.Replace(policy, "    <base />\n", "    <base />\n"+sinkPolicies, 1)
	}
	files := []struct{ path, text string }{
		{"policy.xml", globalPolicy},
		{"apis/load/apiInformation.json", strings.ReplaceAll(apiInformation, "$BACKEND$", backendURL)},
		{"apis/load/specification.yaml", specification},
		{"apis/load/policy.xml", policy},
		{"products/load/productInformation.json", productInformation},
		{"products/load/policy.xml", productPolicy},
		{"products/load/apis/load/productApiInformation.json", "{}\n"},
		{"subscriptions/load/subscriptionInformation.json", strings.ReplaceAll(subscriptionInformation, "$KEY$", Key)},
	}
	if withSinkPolicies {
		logger := loggerInformation
		if kafka == "" {
			logger = loggerWithoutBroker
		}
		files = append(files, struct{ path, text string }{"loggers/load-events/loggerInformation.json",
			strings.NewReplacer("$TOPIC$", SinksTopic, "$KAFKA$", kafka).Replace(logger)})
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(f.text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
