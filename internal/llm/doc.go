// Package llm owns what tollgate's AI gateway policies need to know about
// model APIs (OpenAI-compatible ones, Anthropic's Messages API and Google's
// Gemini API): counting tokens with the OpenAI encodings
// (cl100k_base and o200k_base, whose vocabularies are compiled into the
// binary: nothing is downloaded at run time), estimating the prompt tokens
// of a request, reading the token usage of a response (a JSON body or a
// server-sent event stream), the text a semantic cache embeds, the bodies of
// embeddings and Azure AI Content Safety calls, and cosine similarity.
//
// # Prompt estimation
//
// EstimatePrompt counts the tokens of a chat completions request the way
// OpenAI documents it for its chat models: every message costs 3 tokens plus
// the tokens of its role, content and name (a name adds 1 more), and the
// reply is primed with 3 tokens. Completions (prompt), embeddings and
// Responses API (input) requests count the tokens of their text. Images,
// audio, tool definitions and tool calls are not counted: the estimate is a
// lower bound for such requests, and the usage the model reports corrects
// the counters afterwards. Prompt text beyond MaxExactPrompt (1 MiB) is
// counted as one token per 4 bytes, so that a huge body costs bounded time.
//
// The encoding follows the model named in the request: o200k_base for the
// gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3 and o4 families, cl100k_base for
// everything else (gpt-4, gpt-3.5-turbo, the text-embedding-3 models, and
// models tollgate does not know).
//
// # Token counting
//
// CountTokens gives the library's counts, but cuts the text into the
// pieces of the encoding's split pattern with a hand-written splitter
// (split.go) instead of the library's regexp, and counts each piece with
// the library through a bounded cache of piece counts (piececache.go):
// common words repeat across prompts. Tests and a fuzz target hold the
// counts equal to the library's counts of whole texts.
//
// This package uses the standard library and github.com/tiktoken-go/tokenizer
// only; it knows nothing of HTTP or policies.
package llm
