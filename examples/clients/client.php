<?php
// tokenwarden client example, PHP with curl (php-cli, php-curl); README.md.
$agent = getenv('TOKENWARDEN_URL') ?: 'http://127.0.0.1:8707';
$account = getenv('TOKENWARDEN_ACCOUNT') ?: 'shop';
$clientToken = getenv('TOKENWARDEN_CLIENT_TOKEN') ?: null;
$bank = getenv('BANK_URL') ?: null;
const BALANCE = '/ecom/execute_request/merchant/ecom_balance/v1/get';
// The bank's codes for a session it no longer accepts.
const REJECTED = ['b_expired_token', 'b_used_token', 'b_session_doesnt_exist', 'b_session_doesnt_exists', 'b_unknown_device'];

function fail(string $message): never {
    fwrite(STDERR, $message . "\n");
    exit(1);
}

// [status, parsed JSON or null]; an HTTP error status is an answer too.
function request(string $method, string $url, array $headers = [], ?array $body = null): array {
    $lines = [];
    foreach ($headers as $name => $value) {
        $lines[] = "$name: $value";
    }
    $ch = curl_init($url);
    curl_setopt_array($ch, [CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30]);
    if ($body !== null) {
        curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode((object)$body));
        $lines[] = 'Content-Type: application/json';
    }
    curl_setopt($ch, CURLOPT_HTTPHEADER, $lines);
    $text = curl_exec($ch);
    if ($text === false) {
        fail("$method $url: " . curl_error($ch));
    }
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    return [$status, json_decode($text, true)];
}

$auth = $clientToken ? ['Authorization' => "Bearer $clientToken"] : [];

function agent(string $method, string $path): array {
    global $agent, $auth;
    [$status, $body] = request($method, $agent . $path, ['Tokenwarden-Request' => '1'] + $auth);
    if ($status !== 200) {
        fail("agent: $method $path: HTTP $status " . json_encode($body));
    }
    return $body;
}

function rejected(int $status, $body): array {
    $code = is_array($body) ? ($body['msgCode'] ?? null) : null;
    return [$status === 401 || in_array($code, REJECTED, true), $code ?? "HTTP $status"];
}

$token = agent('GET', "/v1/token/$account");
echo "token: $account generation {$token['generation']}, expires {$token['expires_at']}\n";

if ($bank) {
    [$status, $body] = request('POST', $bank . BALANCE, $token['headers'], []);
    [$isRejected, $code] = rejected($status, $body);
    if ($isRejected) {
        $old = $token['generation'];
        $token = agent('POST', "/v1/token/$account/invalidate?generation=$old");
        echo "rejected: generation $old ($code), now generation {$token['generation']}\n";
        [$status, $body] = request('POST', $bank . BALANCE, $token['headers'], []);
        [$isRejected, $code] = rejected($status, $body);
    }
    if ($status !== 200 || $isRejected) {
        fail("bank: HTTP $status $code");
    }
    echo "bank: HTTP $status with generation {$token['generation']}\n";
}

[$status, $body] = request('POST', "$agent/proxy/$account" . BALANCE, $auth, []);
if ($status !== 200) {
    fail("proxy: HTTP $status " . json_encode($body));
}
echo "proxy: HTTP $status\n";
