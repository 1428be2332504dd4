/// `GET /openapi.json`: an OpenAPI 3.0 description of every route, for clients and fuzzers.
enum OpenAPIDocument {
    /// The document.
    static let json = """
    {
      "openapi": "3.0.3",
      "info": {"title": "Apus OpenAI-compatible API", "version": "1.0.0",
               "description": "Chat and text completions over the Apus engine. Unknown fields are ignored; wrong types and out-of-range values get 400 with an OpenAI error object."},
      "paths": {
        "/v1/chat/completions": {"post": {"operationId": "createChatCompletion",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletionRequest"}}}},
          "responses": {"200": {"description": "A chat completion, or server-sent events of chat.completion.chunk objects when stream is true",
                                "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": {"type": "string"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                        "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
                        "503": {"$ref": "#/components/responses/Error"}}}},
        "/v1/completions": {"post": {"operationId": "createCompletion",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CompletionRequest"}}}},
          "responses": {"200": {"description": "A text completion, or server-sent events when stream is true",
                                "content": {"application/json": {"schema": {"type": "object"}}, "text/event-stream": {"schema": {"type": "string"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                        "413": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"},
                        "503": {"$ref": "#/components/responses/Error"}}}},
        "/v1/models": {"get": {"operationId": "listModels",
          "responses": {"200": {"description": "The served model, with max_model_len", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "401": {"$ref": "#/components/responses/Error"}, "503": {"$ref": "#/components/responses/Error"}}}},
        "/v1/models/{id}": {"get": {"operationId": "retrieveModel",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "The model", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
                        "503": {"$ref": "#/components/responses/Error"}}}},
        "/health": {"get": {"operationId": "health",
          "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "503": {"$ref": "#/components/responses/Error"}}}},
        "/metrics": {"get": {"operationId": "metrics",
          "responses": {"200": {"description": "Prometheus text exposition", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/tokenize": {"post": {"operationId": "tokenize",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {
            "prompt": {"type": "string"}, "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
            "add_special_tokens": {"type": "boolean"}, "return_token_strs": {"type": "boolean"}}}}}},
          "responses": {"200": {"description": "count, max_model_len, tokens, token_strs", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
                        "503": {"$ref": "#/components/responses/Error"}}}},
        "/detokenize": {"post": {"operationId": "detokenize",
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["tokens"],
            "properties": {"tokens": {"type": "array", "items": {"type": "integer"}}}}}}},
          "responses": {"200": {"description": "prompt: the text", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "400": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
                        "503": {"$ref": "#/components/responses/Error"}}}},
        "/openapi.json": {"get": {"operationId": "openapi",
          "responses": {"200": {"description": "This document", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "responses": {"Error": {"description": "OpenAI error object", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["message", "type"],
            "properties": {"message": {"type": "string"}, "type": {"type": "string"}, "param": {"type": "string", "nullable": true},
                           "code": {"type": "string", "nullable": true}}}}},
          "Message": {"type": "object", "required": ["role"], "properties": {
            "role": {"type": "string", "enum": ["system", "developer", "user", "assistant"]},
            "content": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object", "required": ["type", "text"],
              "properties": {"type": {"type": "string", "enum": ["text"]}, "text": {"type": "string"}}}}]},
            "name": {"type": "string"}}},
          "Stop": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "maxItems": 16}]},
          "Common": {"type": "object", "properties": {
            "model": {"type": "string"}, "max_tokens": {"type": "integer", "minimum": 1},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2}, "top_p": {"type": "number", "minimum": 0, "maximum": 1},
            "n": {"type": "integer", "minimum": 1, "maximum": 16}, "stop": {"$ref": "#/components/schemas/Stop"},
            "seed": {"type": "integer"}, "presence_penalty": {"type": "number", "minimum": -2, "maximum": 2},
            "frequency_penalty": {"type": "number", "minimum": -2, "maximum": 2},
            "logit_bias": {"type": "object", "additionalProperties": {"type": "number", "minimum": -100, "maximum": 100}},
            "stream": {"type": "boolean"},
            "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}, "apus_timings": {"type": "boolean"}}},
            "user": {"type": "string"}, "top_k": {"type": "integer", "minimum": -1}, "min_p": {"type": "number", "minimum": 0, "maximum": 1},
            "repetition_penalty": {"type": "number", "minimum": 0, "maximum": 10}, "min_tokens": {"type": "integer", "minimum": 0},
            "ignore_eos": {"type": "boolean"}, "priority": {"type": "integer"},
            "stop_token_ids": {"type": "array", "items": {"type": "integer"}}, "apus_timings": {"type": "boolean"}}},
          "ChatCompletionRequest": {"allOf": [{"$ref": "#/components/schemas/Common"}, {"type": "object", "required": ["messages"], "properties": {
            "messages": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Message"}},
            "max_completion_tokens": {"type": "integer", "minimum": 1}, "logprobs": {"type": "boolean"},
            "top_logprobs": {"type": "integer", "minimum": 0, "maximum": 20},
            "response_format": {"type": "object", "properties": {"type": {"type": "string", "enum": ["text"]}}}}}]},
          "CompletionRequest": {"allOf": [{"$ref": "#/components/schemas/Common"}, {"type": "object", "required": ["prompt"], "properties": {
            "prompt": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}},
                                 {"type": "array", "items": {"type": "integer", "minimum": 0}},
                                 {"type": "array", "items": {"type": "array", "items": {"type": "integer", "minimum": 0}}}]},
            "logprobs": {"type": "integer", "minimum": 0, "maximum": 20}, "echo": {"type": "boolean"}}}]}
        }
      }
    }
    """
}
