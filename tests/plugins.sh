#!/usr/bin/env bash
# tests/plugins.sh: end-to-end checks of the plugin catalog (SPEC section 5,
# vault-semantics 4.1-4.3) and of the rule that ties it to the runtime
# catalog (SPEC section 4, vault-semantics 2.3 and 7.2): a runtime that a
# registered plugin names cannot be deleted.  One real deployment
# (lighttpd -> supervisor -> workers -> Berkeley DB) serves every test.
# Every answer is checked by status code and exact bytes; tearDown removes
# every plugin and runtime left, so each test starts with empty catalogs.
# The last test races plugin registrations against runtime deletions
# through the real server and checks that no plugin is left pointing at a
# runtime that is gone.
#
# Where SPEC only names a check, the expected text is Vault's at the
# reference (handlePluginCatalogUpdate, getVersion, go-version's NewSemver,
# encoding/hex, listInternal/sortVersionedPlugins), read from its source.
# lighttpd answers LIST with 501 and a body-less POST with 411, so lists
# use GET ?list=true and every write sends --data.
#
# Run: CATALOGD_SRCDIR=$PWD CATALOGD_BUILDDIR=$PWD bash tests/plugins.sh

. "$(dirname "$0")/lib.sh"

PC=sys/plugins/catalog
RT=sys/plugins/runtimes/catalog
IT=$RT/container
POL=sys/policies/acl
LAST=

E_PATH='{"errors":["1 error occurred:\n\t* unsupported path\n\n"]}'
E_NONE='{"errors":[]}'
E_DENIED='{"errors":["permission denied"]}'
E_DENIED_MULTI='{"errors":["1 error occurred:\n\t* permission denied\n\n"]}'
E_RT_NOTFOUND='{"errors":["plugin runtime not found"]}'

M_SHA='missing SHA-256 value'
M_CMD='must provide at least one of command or oci_image'
M_ARGS='must not specify args in command and args field'
M_DOTS='path cannot contain parent references'

# ---------------------------------------------------------------- helpers

# call METHOD PATH [curl args...]: api with $TOKEN, remembering the request
# line for the assertion messages.
call() {
	LAST="$1 /v1/$2"
	api "$@"
}

# reg TYPE NAME JSON: registers (PUT) a plugin with that JSON body.
reg() {
	call PUT "$PC/$1/$2" -H 'Content-Type: application/json' \
	    --data-binary "$3"
	LAST="$LAST $3"
}

# reg_ok TYPE NAME JSON: reg, expecting 204 and no body.
reg_ok() {
	reg "$@"
	expect 204 ""
}

# reg_err TYPE NAME JSON MESSAGE: reg, expecting 400 with that message.
reg_err() {
	reg "$1" "$2" "$3"
	expect 400 "$(errjson "$4")"
}

# pdata NAME COMMAND ARGS SHA VERSION [OCI_IMAGE [RUNTIME]]: the data of a
# plugin read as Vault builds it (ARGS is a JSON array; oci_image and
# runtime only when non-empty; keys sorted).
pdata() {
	jq -cn --arg n "$1" --arg c "$2" --argjson a "$3" --arg s "$4" \
	    --arg v "$5" --arg o "${6:-}" --arg r "${7:-}" \
	    '{args:$a, builtin:false, command:$c, name:$n}
	    + (if $o != "" then {oci_image:$o} else {} end)
	    + (if $r != "" then {runtime:$r} else {} end)
	    + {sha256:$s, version:$v}'
}

# expect_read TYPE NAME QUERY DATA: GET (with ?QUERY unless empty) answers
# 200 with exactly DATA.
expect_read() {
	call GET "$PC/$1/$2${3:+?$3}"
	expect_ok "$4"
}

# expect_absent TYPE NAME [QUERY]: GET answers 404 {"errors":[]}.
expect_absent() {
	call GET "$PC/$1/$2${3:+?$3}"
	expect 404 "$E_NONE"
}

# detail TYPE NAME VERSION SHA [OCI_IMAGE [RUNTIME]]: one entry of the
# "detailed" list as Vault's pluginutil.VersionedPlugin has it (sha256 of
# a registered plugin is never empty; oci_image and runtime omitempty),
# keys sorted as SPEC section 3 wants them inside data.
detail() {
	jq -cn --arg t "$1" --arg n "$2" --arg v "$3" --arg s "$4" \
	    --arg o "${5:-}" --arg r "${6:-}" \
	    '{builtin:false, name:$n}
	    + (if $o != "" then {oci_image:$o} else {} end)
	    + (if $r != "" then {runtime:$r} else {} end)
	    + {sha256:$s, type:$t, version:$v}'
}

# strs WORD...: a JSON array of those strings.
strs() {
	if [ $# -eq 0 ]; then
		echo '[]'
	else
		printf '%s\n' "$@" | jq -cRn '[inputs]'
	fi
}

# joined ITEM...: the items joined with commas.
joined() {
	local IFS=,
	echo "$*"
}

# refused RUNTIME NAME...: the 400 body of deleting a referenced runtime.
refused() {
	local r=$1
	shift
	errjson "unable to delete \"$r\" runtime. Registered plugins=[$*] are referencing it."
}

# no_runtime RUNTIME: the clean message for an oci_image plugin naming a
# runtime that is not registered (SPEC section 7).
no_runtime() {
	echo "specified plugin runtime \"$1\", but failed to retrieve config: failed to retrieve container plugin runtime \"$1\": plugin runtime not found"
}

# bad_version V WHY: the message for a version go-version rejects.
bad_version() {
	echo "version \"$1\" is not a valid semantic version: ${2:-Malformed version: $1}"
}

# bad_hex SHA WHY: the message for a sha256 that is not hex.
bad_hex() {
	echo "Could not decode SHA256 value from Hex $1: encoding/hex: $2"
}

# del_runtime NAME: DELETE the runtime.
del_runtime() {
	call DELETE "$IT/$1"
}

# del_plugin TYPE NAME [VERSION]: DELETE a plugin, expecting 204.
del_plugin() {
	call DELETE "$PC/$1/$2${3:+?version=$3}"
	expect 204 ""
}

# runtime_status NAME: the status of GET on that runtime.
runtime_status() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	    -H "X-Vault-Token: $ROOT_TOKEN" "$BASE/$IT/$1"
}

# ------------------------------------------------------------ fixtures

oneTimeSetUp() {
	server_start || exit 1
}

oneTimeTearDown() { suite_teardown; }

setUp() {
	TOKEN=$ROOT_TOKEN
}

# Deletes every plugin (each version) and then every runtime still listed.
tearDown() {
	local type name version
	TOKEN=$ROOT_TOKEN
	[ -n "$SERVER_PID" ] || return 0
	api GET "$PC"
	jq -r '.data.detailed[]? | [.type, .name, (.version | @uri)] | @tsv' \
	    "$RAW" 2>/dev/null >"$TMPROOT/left"
	while IFS=$'\t' read -r type name version; do
		api DELETE "$PC/$type/$name${version:+?version=$version}"
	done <"$TMPROOT/left"
	delete_runtimes
	return 0
}

# ------------------------------------------- registration and read shapes

test_register_and_read_shapes() {
	# A command without spaces; no args: "args" is [] (Vault's zero value
	# for a string slice), "version" "" and no oci_image/runtime keys.
	reg_ok auth plain '{"sha256":"0123456789abcdef","command":"my-plugin"}'
	expect_read auth plain "" \
	    "$(pdata plain my-plugin '[]' 0123456789abcdef "")"

	# sha256 is shown as lower-case hex of the decoded bytes.
	reg_ok auth upper '{"sha256":"ABCDEF","command":"c"}'
	expect_read auth upper "" "$(pdata upper c '[]' abcdef "")"

	# The command is split at every space: first word, then args.
	reg_ok secret split '{"sha256":"31","command":"run -a b"}'
	expect_read secret split "" "$(pdata split run '["-a","b"]' 31 "")"
	# Two spaces give an empty argument (strings.Split).
	reg_ok secret split2 '{"sha256":"31","command":"run  b"}'
	expect_read secret split2 "" "$(pdata split2 run '["","b"]' 31 "")"
	# A spaced command with an empty args list is no conflict.
	reg_ok secret split3 '{"sha256":"31","command":"run b","args":[]}'
	expect_read secret split3 "" "$(pdata split3 run '["b"]' 31 "")"
	# args alone are kept as given; env is stored but never shown.
	reg_ok database withargs '{"sha256":"31","command":"db","args":["--x","y z"],"env":["A=1"]}'
	expect_read database withargs "" \
	    "$(pdata withargs db '["--x","y z"]' 31 "")"

	# The version is stored as "v" + canonical semver.
	reg_ok database ver '{"sha256":"31","command":"db","version":"1.2"}'
	expect_read database ver "version=v1.2.0" \
	    "$(pdata ver db '[]' 31 v1.2.0)"

	# oci_image and runtime appear only when set.
	put_runtime gvisor '{"oci_runtime":"runsc"}'
	reg_ok auth oci '{"sha256":"31","oci_image":"example/image","runtime":"gvisor"}'
	expect_read auth oci "" \
	    "$(pdata oci "" '[]' 31 "" example/image gvisor)"
	reg_ok auth ocinort '{"sha256":"31","oci_image":"example/image","command":"entry arg"}'
	expect_read auth ocinort "" \
	    "$(pdata ocinort entry '["arg"]' 31 "" example/image)"
	# A runtime without oci_image is never looked up, but stored and shown.
	reg_ok auth rtonly '{"sha256":"31","command":"c","runtime":"not-registered"}'
	expect_read auth rtonly "" \
	    "$(pdata rtonly c '[]' 31 "" "" not-registered)"

	# POST writes like PUT; a second write replaces the entry (no merge).
	call POST "$PC/secret/posted" --data '{"sha_256":"32","command":"a b","version":"v3.0.0","oci_image":"img"}'
	expect 204 ""
	expect_read secret posted "version=3.0.0" \
	    "$(pdata posted a '["b"]' 32 v3.0.0 img)"
	call POST "$PC/secret/posted" --data '{"sha256":"33","command":"z","version":"3"}'
	expect 204 ""
	expect_read secret posted "version=3" "$(pdata posted z '[]' 33 v3.0.0)"

	# Form bodies and weak typing: sha256 as a number is its decimal text.
	call PUT "$PC/auth/form" -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary 'sha256=abcd&command=f&version=0.1.0'
	expect 204 ""
	expect_read auth form "version=v0.1.0" "$(pdata form f '[]' abcd v0.1.0)"
	reg_ok auth numsha '{"sha256":31,"command":"c","version":2}'
	expect_read auth numsha "version=v2.0.0" "$(pdata numsha c '[]' 31 v2.0.0)"

	# Unknown query parameters on a read give Vault's warning.
	call GET "$PC/auth/plain?bogus=1"
	expect_ok "$(pdata plain my-plugin '[]' 0123456789abcdef "")" \
	    '["Endpoint ignored these unrecognized parameters: [bogus]"]'
}

test_sha256_both_spellings() {
	reg_err auth s '{"command":"c"}' "$M_SHA"
	reg_err auth s '{"command":"c","sha256":""}' "$M_SHA"
	reg_err auth s '{"command":"c","sha_256":""}' "$M_SHA"
	reg_err auth s '{"command":"c","sha256":"","sha_256":""}' "$M_SHA"
	reg_err auth s '{"command":"c","sha256":null,"sha_256":null}' "$M_SHA"
	expect_absent auth s
	# sha_256 is the fallback when sha256 is empty ...
	reg_ok auth s '{"command":"c","sha256":"","sha_256":"3132"}'
	expect_read auth s "" "$(pdata s c '[]' 3132 "")"
	reg_ok auth s2 '{"command":"c","sha_256":"41"}'
	expect_read auth s2 "" "$(pdata s2 c '[]' 41 "")"
	# ... and sha256 wins when both are set (sha_256 is not even decoded).
	reg_ok auth s3 '{"command":"c","sha256":"42","sha_256":"zz"}'
	expect_read auth s3 "" "$(pdata s3 c '[]' 42 "")"
}

# ------------------------------------------------- validation, one by one

test_validation_messages() {
	local v
	# go-version's NewSemver rejects these ("Malformed version: <v>").
	for v in x 1. .1 V1.0.0 v 1..0 1.0.0- 1.0.0+ ' 1.0.0' '1.0.0 ' \
	    1.0.0-a..b 1.0.0+a_b 1.0.0-a+b+c 1.0.0.; do
		reg_err auth v "$(jq -cn --arg v "$v" '{version:$v,sha256:"31",command:"c"}')" \
		    "$(bad_version "$v")"
	done
	expect_absent auth v

	# +builtin is reserved (message with the canonical version).
	reg_err auth b '{"version":"1.0.0+builtin","sha256":"31","command":"c"}' \
	    "version \"v1.0.0+builtin\" is not allowed because 'builtin' is a reserved metadata identifier"
	reg_err auth b '{"version":"v1.2+abc.builtin","sha256":"31","command":"c"}' \
	    "version \"v1.2.0+abc.builtin\" is not allowed because 'builtin' is a reserved metadata identifier"

	reg_err auth s '{"command":"c"}' "$M_SHA"
	reg_err auth s '{"sha256":"31"}' "$M_CMD"
	reg_err auth s '{"sha256":"31","command":"","oci_image":""}' "$M_CMD"
	reg_err auth s '{"sha256":"31","runtime":"r","args":["a"],"env":["E=1"]}' "$M_CMD"

	reg_err auth o '{"sha256":"31","oci_image":"img","runtime":"nope"}' \
	    "$(no_runtime nope)"
	reg_err auth o '{"sha256":"31","oci_image":"img","runtime":"nope","command":"c"}' \
	    "$(no_runtime nope)"

	reg_err auth h '{"sha256":"zz","command":"c"}' \
	    "$(bad_hex zz "invalid byte: U+007A 'z'")"
	reg_err auth h '{"sha256":"abc","command":"c"}' \
	    "$(bad_hex abc "odd length hex string")"
	reg_err auth h '{"sha256":"1","command":"c"}' \
	    "$(bad_hex 1 "odd length hex string")"

	reg_err auth a '{"sha256":"31","command":"c d","args":["e"]}' "$M_ARGS"

	reg_err auth a..b '{"sha256":"31","command":"c"}' "$M_DOTS"
	reg_err auth x '{"sha256":"31","command":"../c"}' "$M_DOTS"
	reg_err auth x '{"sha256":"31","command":"bin/..c"}' "$M_DOTS"
	reg_err auth x '{"sha256":"31","command":"a/../b x"}' "$M_DOTS"
	reg_err auth x '{"sha256":"31","oci_image":"img","command":"..c"}' "$M_DOTS"

	# None of these left anything behind.
	call GET "$PC"
	expect_ok '{"auth":[],"database":[],"detailed":[],"secret":[]}'
}

# Values Vault's checks treat specially: only the command word is checked
# for "..", the runtime check needs oci_image, an empty runtime is fine.
test_validation_boundaries() {
	reg_ok auth dotargs '{"sha256":"31","command":"c ../x"}'
	expect_read auth dotargs "" "$(pdata dotargs c '["../x"]' 31 "")"
	reg_ok auth dotargs2 '{"sha256":"31","command":"c","args":[".."]}'
	expect_read auth dotargs2 "" "$(pdata dotargs2 c '[".."]' 31 "")"
	reg_ok auth a.b '{"sha256":"31","command":"c.d"}'
	expect_read auth a.b "" "$(pdata a.b c.d '[]' 31 "")"
	reg_ok auth ocinort '{"sha256":"31","oci_image":"img","runtime":""}'
	expect_read auth ocinort "" "$(pdata ocinort "" '[]' 31 "" img)"
	# Metadata other than the exact "builtin" identifier is allowed.
	reg_ok auth notb '{"sha256":"31","command":"c","version":"1.0.0+notbuiltin"}'
	[ "$STATUS" = 204 ] && expect_read auth notb "version=v1.0.0%2Bnotbuiltin" \
	    "$(pdata notb c '[]' 31 v1.0.0+notbuiltin)"
	reg_ok auth notb '{"sha256":"31","command":"c","version":"1.0.0-builtin"}'
	expect_read auth notb "version=1.0.0-builtin" \
	    "$(pdata notb c '[]' 31 v1.0.0-builtin)"
	# Go prints the bad byte with %#U: quoted when printable.
	reg_err auth h '{"sha256":"a b","command":"c"}' \
	    "$(bad_hex 'a b' "invalid byte: U+0020 ' '")"
	reg_err auth h '{"sha256":"0g","command":"c"}' \
	    "$(bad_hex 0g "invalid byte: U+0067 'g'")"
	reg_err auth h '{"sha256":"abz","command":"c"}' \
	    "$(bad_hex abz "invalid byte: U+007A 'z'")"
	reg_err auth h '{"sha256":"\t1","command":"c"}' \
	    "$(bad_hex $'\t1' "invalid byte: U+0009")"
}

# Each pair of failing fields answers with the earlier check's message:
# version, +builtin, sha, command/oci_image, runtime, args, hex, "..".
test_validation_order() {
	put_runtime known '{}'
	# version before everything.
	reg_err auth a..b '{"version":"bad","command":"../c d","args":["e"],"oci_image":"i","runtime":"nope"}' \
	    "$(bad_version bad)"
	reg_err auth v '{"version":"bad"}' "$(bad_version bad)"
	reg_err auth v '{"version":"bad","sha256":"zz","command":"c"}' \
	    "$(bad_version bad)"
	reg_err auth v '{"version":"1+builtin"}' \
	    "version \"v1.0.0+builtin\" is not allowed because 'builtin' is a reserved metadata identifier"
	# missing sha before command/oci_image, runtime, args, hex, "..".
	reg_err auth a..b '{"oci_image":"i","runtime":"nope","command":"c d","args":["e"]}' "$M_SHA"
	reg_err auth s '{}' "$M_SHA"
	# command/oci_image before hex and "..".
	reg_err auth a..b '{"sha256":"zz"}' "$M_CMD"
	# the runtime before args, hex and "..".
	reg_err auth a..b '{"sha256":"zz","oci_image":"i","runtime":"nope","command":"../c d","args":["e"]}' \
	    "$(no_runtime nope)"
	# args before hex and "..".
	reg_err auth a..b '{"sha256":"zz","oci_image":"i","runtime":"known","command":"../c d","args":["e"]}' \
	    "$M_ARGS"
	# hex before "..".
	reg_err auth a..b '{"sha256":"zz","command":"../c"}' \
	    "$(bad_hex zz "invalid byte: U+007A 'z'")"
	reg_err auth a..b '{"sha256":"123","command":"c"}' \
	    "$(bad_hex 123 "odd length hex string")"
	# ".." last; the name is checked like the command.
	reg_err auth a..b '{"sha256":"31","oci_image":"i","runtime":"known"}' "$M_DOTS"
	call GET "$PC"
	expect_ok '{"auth":[],"database":[],"detailed":[],"secret":[]}'
}

# go-version (the semver package Vault uses) accepts more than SemVer 2.0:
# any number of numeric parts, leading zeros, "~", numeric pre-release
# identifiers with leading zeros; it fails on numbers beyond int64.
# Versions follow Semantic Versioning 2.0.0 plus Vault's two liberties (a
# leading v, one or two parts); forms only go-version accepts are refused
# (README, differences from Vault).
test_version_forms() {
	local in
	for in in 1.2.3.4 01.02.03 1.0.0-01 1.0.0-a~b 1.0.0+x~y; do
		reg_err secret forms "$(jq -cn --arg v "$in" '{version:$v,sha256:"31",command:"c"}')" \
		    "$(bad_version "$in" "Malformed version: $in")"
	done
	local pair want
	for pair in 'v1|v1.0.0' '1.2|v1.2.0' '0.0.0|v0.0.0' \
	    '1.0.0-rc.1+build.5|v1.0.0-rc.1+build.5' '1.0.0--x|v1.0.0--x' \
	    '1.0.0-0a|v1.0.0-0a'; do
		in=${pair%|*} want=${pair#*|}
		reg_ok secret forms "$(jq -cn --arg v "$in" '{version:$v,sha256:"31",command:"c"}')"
		# One failure per refused form, not a cascade.
		[ "$STATUS" = 204 ] || continue
		expect_read secret forms "version=$(jq -rn --arg v "$want" '$v|@uri')" \
		    "$(pdata forms c '[]' 31 "$want")"
		del_plugin secret forms "$(jq -rn --arg v "$want" '$v|@uri')"
	done
	reg_err secret forms '{"version":"99999999999999999999.0.0","sha256":"31","command":"c"}' \
	    "$(bad_version 99999999999999999999.0.0 'Error parsing version: strconv.ParseInt: parsing "99999999999999999999": value out of range')"
}

# Messages quote with Go's %q: a quote inside is escaped.
test_messages_quote_like_go() {
	reg_err auth q '{"version":"1\"0","sha256":"31","command":"c"}' \
	    'version "1\"0" is not a valid semantic version: Malformed version: 1"0'
	reg_err auth q '{"sha256":"31","oci_image":"img","runtime":"we\"ird"}' \
	    'specified plugin runtime "we\"ird", but failed to retrieve config: failed to retrieve container plugin runtime "we\"ird": plugin runtime not found'
}

# A non-ASCII byte is printable for Go's %#U when its rune is (U+00C3).
test_hex_error_non_ascii_byte() {
	reg_err auth h '{"sha256":"é","command":"c"}' \
	    "$(bad_hex é "invalid byte: U+00C3 'Ã'")"
}

# -------------------------------------------------------------- versions

test_versions_select_entries() {
	reg_ok database multi '{"sha256":"01","command":"c0"}'
	reg_ok database multi '{"sha256":"02","command":"c1","version":"1.2"}'
	reg_ok database multi '{"sha256":"03","command":"c2","version":"v1.10.0"}'
	reg_ok database only-versioned '{"sha256":"04","command":"c","version":"0.1.0"}'

	expect_read database multi "" "$(pdata multi c0 '[]' 01 "")"
	expect_read database multi "version=" "$(pdata multi c0 '[]' 01 "")"
	expect_read database multi "version=1.2" "$(pdata multi c1 '[]' 02 v1.2.0)"
	expect_read database multi "version=v1.2.0" "$(pdata multi c1 '[]' 02 v1.2.0)"
	expect_read database multi "version=1.2.0" "$(pdata multi c1 '[]' 02 v1.2.0)"
	expect_read database multi "version=1.10" "$(pdata multi c2 '[]' 03 v1.10.0)"
	expect_absent database multi "version=1.3.0"
	expect_absent database multi "version=1.2.0-rc1"
	# Without ?version= only the unversioned entry answers.
	expect_absent database only-versioned
	expect_read database only-versioned "version=0.1" \
	    "$(pdata only-versioned c '[]' 04 v0.1.0)"
	# Entries are per type.
	expect_absent auth multi
	expect_absent secret multi "version=1.2"

	# A bad ?version= is the registration's 400; "+" in a query is a space.
	call GET "$PC/database/multi?version=nope"
	expect 400 "$(errjson "$(bad_version nope)")"
	call GET "$PC/database/multi?version=1.0.0+x"
	expect 400 "$(errjson "$(bad_version '1.0.0 x')")"
	call DELETE "$PC/database/multi?version=nope"
	expect 400 "$(errjson "$(bad_version nope)")"

	# DELETE ?version= removes exactly that entry.
	del_plugin database multi 1.2
	expect_absent database multi "version=1.2.0"
	expect_read database multi "" "$(pdata multi c0 '[]' 01 "")"
	expect_read database multi "version=1.10.0" "$(pdata multi c2 '[]' 03 v1.10.0)"
	del_plugin database multi
	expect_absent database multi
	expect_read database multi "version=1.10.0" "$(pdata multi c2 '[]' 03 v1.10.0)"
	# The unversioned delete does not touch versioned entries.
	del_plugin database only-versioned
	expect_read database only-versioned "version=0.1.0" \
	    "$(pdata only-versioned c '[]' 04 v0.1.0)"
}

# Reading or deleting a "+builtin" version is not a registration: Vault's
# getVersion only flags it; a read finds nothing, a delete is refused.
test_builtin_version_on_read_and_delete() {
	expect_absent auth nothere "version=1.0.0%2Bbuiltin"
	call DELETE "$PC/auth/nothere?version=1.0.0%2Bbuiltin"
	expect 400 "$(errjson 'version "v1.0.0+builtin" cannot be deleted')"
}

test_read_absent_and_delete_always_204() {
	expect_absent auth ghost
	expect_absent database ghost "version=1.0.0"
	call DELETE "$PC/auth/ghost"
	expect 204 ""
	call DELETE "$PC/secret/ghost?version=9.9.9"
	expect 204 ""
	reg_ok secret once '{"sha256":"31","command":"c"}'
	del_plugin secret once
	del_plugin secret once
	expect_absent secret once
}

# ----------------------------------------------------------------- lists

test_typed_lists() {
	local t
	reg_ok auth b '{"sha256":"31","command":"c"}'
	reg_ok auth a_2 '{"sha256":"31","command":"c"}'
	reg_ok auth B '{"sha256":"31","command":"c"}'
	reg_ok auth a-2 '{"sha256":"31","command":"c"}'
	reg_ok auth a '{"sha256":"31","command":"c"}'
	reg_ok auth a '{"sha256":"31","command":"c","version":"1.0.0"}'
	reg_ok auth a '{"sha256":"31","command":"c","version":"2.0.0"}'
	reg_ok secret s1 '{"sha256":"31","command":"c","version":"1.0.0"}'
	reg_ok secret s1 '{"sha256":"31","command":"c","version":"1.1.0"}'

	# Sorted bytewise, each name once.
	call GET "$PC/auth?list=true"
	expect_ok '{"keys":["B","a","a-2","a_2","b"]}'
	call GET "$PC/auth/?list=true"
	expect_ok '{"keys":["B","a","a-2","a_2","b"]}'
	call GET "$PC/auth?list=TRUE"
	expect_ok '{"keys":["B","a","a-2","a_2","b"]}'
	call GET "$PC/secret?list=1"
	expect_ok '{"keys":["s1"]}'
	call GET "$PC/database?list=true"
	expect_ok '{"keys":[]}'

	# Another type segment is no route.
	for t in foo Auth auth2 plugin unknown; do
		call GET "$PC/$t?list=true"
		expect 404 "$E_PATH"
	done
}

test_catalog_listing() {
	local want path
	put_runtime gvisor '{"oci_runtime":"runsc"}'
	call GET "$PC"
	expect_ok '{"auth":[],"database":[],"detailed":[],"secret":[]}'

	reg_ok secret kv '{"sha256":"aa","command":"kv"}'
	reg_ok auth jwt '{"sha256":"bb","oci_image":"hashicorp/jwt","runtime":"gvisor","version":"0.16.0"}'
	reg_ok auth jwt '{"sha256":"cc","command":"jwt"}'
	reg_ok auth Zed '{"sha256":"dd","command":"z","runtime":"elsewhere"}'
	reg_ok database pg '{"sha256":"ee","oci_image":"pg:1","version":"1.0.0"}'

	want=$(printf '{"auth":%s,"database":%s,"detailed":[%s],"secret":%s}' \
	    "$(strs Zed jwt)" "$(strs pg)" "$(joined \
	    "$(detail auth Zed "" dd "" elsewhere)" \
	    "$(detail auth jwt "" cc)" \
	    "$(detail auth jwt v0.16.0 bb hashicorp/jwt gvisor)" \
	    "$(detail database pg v1.0.0 ee pg:1)" \
	    "$(detail secret kv "" aa)")" "$(strs kv)")
	for path in "$PC" "$PC/"; do
		call GET "$path"
		# Names, order, oci_image and runtime first (sha256 aside), so
		# that the sha256 difference below does not hide them ...
		assertEquals "$LAST: data without detailed[].sha256" \
		    "$(jq -c '.detailed |= map(del(.sha256))' <<<"$want")" \
		    "$(jq -c '.data | .detailed |= map(del(.sha256))' "$RAW" 2>&1)"
		# ... then the exact bytes, with Vault's sha256 in each entry.
		expect_ok "$want"
	done
}

# Vault sorts the detailed list by type, name and then semantic version
# (sortVersionedPlugins): unversioned (0.0.0) first, 1.2.0-rc1 < 1.2.0 <
# 1.10.0, not bytewise.
test_catalog_detailed_semver_order() {
	reg_ok auth p '{"sha256":"01","command":"c","version":"1.10.0"}'
	reg_ok auth p '{"sha256":"02","command":"c","version":"1.2.0"}'
	reg_ok auth p '{"sha256":"03","command":"c","version":"1.2.0-rc1"}'
	reg_ok auth p '{"sha256":"04","command":"c"}'
	call GET "$PC"
	expect_ok "$(printf '{"auth":["p"],"database":[],"detailed":[%s],"secret":[]}' \
	    "$(joined "$(detail auth p "" 04)" "$(detail auth p v1.2.0-rc1 03)" \
	    "$(detail auth p v1.2.0 02)" "$(detail auth p v1.10.0 01)")")"
}

test_unsupported_type_segment() {
	local t
	for t in foo docker AUTH Secret secrets plugin unknown; do
		call PUT "$PC/$t/p" --data '{"sha256":"31","command":"c"}'
		expect 404 "$E_PATH"
		call POST "$PC/$t/p" --data '{"sha256":"31","command":"c"}'
		expect 404 "$E_PATH"
		call GET "$PC/$t/p"
		expect 404 "$E_PATH"
		call DELETE "$PC/$t/p"
		expect 404 "$E_PATH"
	done
	call GET "$PC"
	expect_ok '{"auth":[],"database":[],"detailed":[],"secret":[]}'
}

# --------------------------------------------------------------- sudo

test_sudo_required() {
	local caps='["create", "read", "update", "delete", "list"]' tok stok

	api PUT "$POL/plugins-nosudo" --data "$(jq -cn --arg p "path \"sys/plugins/catalog\" { capabilities = $caps }
path \"sys/plugins/catalog/*\" { capabilities = $caps }" '{policy:$p}')"
	assertEquals "policy plugins-nosudo: $BODY" 204 "$STATUS"
	api PUT "$POL/plugins-sudo" --data "$(jq -cn --arg p "path \"sys/plugins/catalog/*\" { capabilities = [\"create\", \"read\", \"update\", \"delete\", \"list\", \"sudo\"] }" '{policy:$p}')"
	assertEquals "policy plugins-sudo: $BODY" 204 "$STATUS"
	api POST auth/token/create --data '{"policies":["plugins-nosudo"]}'
	assertEquals "token create: $BODY" 200 "$STATUS"
	tok=$(jq -r '.auth.client_token // empty' "$RAW")
	api POST auth/token/create --data '{"policies":["plugins-sudo"]}'
	assertEquals "token create: $BODY" 200 "$STATUS"
	stok=$(jq -r '.auth.client_token // empty' "$RAW")

	reg_ok auth held '{"sha256":"31","command":"c","version":"1.0.0"}'

	TOKEN=$tok
	reg auth newone '{"sha256":"31","command":"c"}'
	expect 403 "$E_DENIED_MULTI"
	call POST "$PC/auth/held" --data '{"sha256":"32","command":"x","version":"1.0.0"}'
	expect 403 "$E_DENIED_MULTI"
	call GET "$PC/auth/held?version=1.0.0"
	expect 403 "$E_DENIED_MULTI"
	call GET "$PC/auth/ghost"
	expect 403 "$E_DENIED_MULTI"
	call GET "$PC/auth?list=true"
	expect 403 "$E_DENIED_MULTI"
	call DELETE "$PC/auth/held?version=1.0.0"
	expect 403 "$E_DENIED_MULTI"
	# SPEC section 5 puts the whole catalog under sudo.  (Vault's root
	# prefix "plugins/catalog/" would not cover this one path, like the
	# plain GET of the runtime list that SPEC section 7 lists.)
	call GET "$PC"
	expect 403 "$E_DENIED_MULTI"
	# The ACL check comes before routing and validation.
	call GET "$PC/foo/x"
	expect 403 "$E_DENIED_MULTI"
	reg auth bad '{"version":"x"}'
	expect 403 "$E_DENIED_MULTI"

	# No token at all: the plain form.
	TOKEN=
	call GET "$PC/auth/held?version=1.0.0"
	expect 403 "$E_DENIED"
	reg auth newone '{"sha256":"31","command":"c"}'
	expect 403 "$E_DENIED"

	# Nothing changed.
	TOKEN=$ROOT_TOKEN
	expect_read auth held "version=1.0.0" "$(pdata held c '[]' 31 v1.0.0)"
	expect_absent auth newone

	# The same capabilities plus sudo work.
	TOKEN=$stok
	reg_ok auth newone '{"sha256":"33","command":"c"}'
	expect_read auth newone "" "$(pdata newone c '[]' 33 "")"
	call GET "$PC/auth?list=true"
	expect_ok '{"keys":["held","newone"]}'
	del_plugin auth held 1.0.0
	TOKEN=$ROOT_TOKEN
	expect_absent auth held "version=1.0.0"
}

# -------------------------------------- referenced runtimes (SPEC §4, §5)

# Vault's TestSystemBackend_pluginRuntime_CannotDeleteRuntimeWithReferencingPlugins.
test_vault_delete_refused_sequence() {
	put_runtime foo '{"oci_runtime":"some-oci-runtime","cgroup_parent":"/cpulimit/","cpu_nanos":1,"memory_bytes":10000}'
	reg_ok database test-plugin '{"version":"v0.16.0","sha_256":"31","command":"","oci_image":"hashicorp/vault-plugin-auth-jwt","runtime":"foo"}'
	expect_read database test-plugin "version=v0.16.0" \
	    "$(pdata test-plugin "" '[]' 31 v0.16.0 hashicorp/vault-plugin-auth-jwt foo)"
	del_runtime foo
	expect 400 "$(refused foo test-plugin)"
	call GET "$IT/foo"
	assertEquals "$LAST: the refused runtime is still there ($BODY)" 200 "$STATUS"
	del_plugin database test-plugin v0.16.0
	del_runtime foo
	expect 204 ""
	call GET "$IT/foo"
	expect 404 "$E_NONE"
}

# One entry per referencing registration (type, name, version), sorted
# bytewise; only the exact runtime name counts.
test_delete_refused_lists_every_entry_sorted() {
	local oci p
	put_runtime shared '{}'
	put_runtime other '{}'
	oci='"oci_image":"img","runtime":"shared"'
	reg_ok auth b "{\"sha256\":\"31\",$oci,\"version\":\"1.0.0\"}"
	reg_ok auth b "{\"sha256\":\"31\",$oci,\"version\":\"2.0.0\"}"
	reg_ok auth a_2 "{\"sha256\":\"31\",$oci}"
	reg_ok database a-2 "{\"sha256\":\"31\",$oci}"
	reg_ok secret B "{\"sha256\":\"31\",$oci}"
	reg_ok secret a "{\"sha256\":\"31\",$oci}"
	reg_ok auth a "{\"sha256\":\"31\",$oci,\"version\":\"0.1.0\"}"
	# A runtime without oci_image references it too.
	reg_ok database c '{"sha256":"31","command":"c","runtime":"shared"}'
	# Neither another runtime nor another spelling does.
	reg_ok auth z '{"sha256":"31","oci_image":"img","runtime":"other"}'
	reg_ok auth y '{"sha256":"31","command":"c","runtime":"SHARED"}'
	reg_ok auth x '{"sha256":"31","command":"c","runtime":"shared "}'

	del_runtime shared
	expect 400 "$(refused shared B a a a-2 a_2 b b c)"
	del_runtime other
	expect 400 "$(refused other z)"

	# Removing one version drops exactly one entry.
	del_plugin auth b 2.0.0
	del_runtime shared
	expect 400 "$(refused shared B a a a-2 a_2 b c)"
	for p in "auth b 1.0.0" "auth a_2" "database a-2" "secret B" "secret a" \
	    "auth a 0.1.0"; do
		# shellcheck disable=SC2086
		del_plugin $p
	done
	del_runtime shared
	expect 400 "$(refused shared c)"
	del_plugin database c
	del_runtime shared
	expect 204 ""
	del_plugin auth z
	del_runtime other
	expect 204 ""
}

# The reference check runs before the existence check: a plugin naming a
# runtime that was never registered (allowed without oci_image) still
# makes its "deletion" a 400, not a 404.
test_reference_checked_before_existence() {
	call GET "$IT/ghost"
	expect 404 "$E_NONE"
	del_runtime ghost
	expect 404 "$E_RT_NOTFOUND"
	reg_ok secret haunted '{"sha256":"31","command":"c","runtime":"ghost"}'
	reg_ok auth haunted '{"sha256":"31","command":"c","runtime":"ghost","version":"1.0.0"}'
	del_runtime ghost
	expect 400 "$(refused ghost haunted haunted)"
	del_plugin secret haunted
	del_runtime ghost
	expect 400 "$(refused ghost haunted)"
	del_plugin auth haunted 1.0.0
	del_runtime ghost
	expect 404 "$E_RT_NOTFOUND"
	# Once registered, the same runtime deletes normally.
	put_runtime ghost '{}'
	del_runtime ghost
	expect 204 ""
}

# Re-registering the same (type, name, version) moves its reference.
test_reregister_moves_reference() {
	put_runtime r1 '{}'
	put_runtime r2 '{}'
	reg_ok auth mover '{"sha256":"31","oci_image":"img","runtime":"r1"}'
	del_runtime r1
	expect 400 "$(refused r1 mover)"
	reg_ok auth mover '{"sha256":"31","oci_image":"img","runtime":"r2"}'
	expect_read auth mover "" "$(pdata mover "" '[]' 31 "" img r2)"
	del_runtime r2
	expect 400 "$(refused r2 mover)"
	del_runtime r1
	expect 204 ""
	put_runtime r1 '{}'
	# A registration without a runtime drops the reference.
	reg_ok auth mover '{"sha256":"31","command":"c"}'
	expect_read auth mover "" "$(pdata mover c '[]' 31 "")"
	del_runtime r2
	expect 204 ""
	# Another version is another entry with its own reference.
	reg_ok auth mover '{"sha256":"31","oci_image":"img","runtime":"r1","version":"1.0.0"}'
	reg_ok auth mover '{"sha256":"31","command":"c","runtime":"r1"}'
	reg_ok auth mover '{"sha256":"31","command":"c"}'
	del_runtime r1
	expect 400 "$(refused r1 mover)"
	del_plugin auth mover 1.0.0
	del_runtime r1
	expect 204 ""
}

# A registration refused after the runtime was found leaves no reference.
test_refused_registration_adds_no_reference() {
	put_runtime kept '{}'
	reg_err auth bad '{"sha256":"zz","oci_image":"img","runtime":"kept"}' \
	    "$(bad_hex zz "invalid byte: U+007A 'z'")"
	reg_err auth a..b '{"sha256":"31","oci_image":"img","runtime":"kept"}' "$M_DOTS"
	reg_err auth bad '{"sha256":"31","oci_image":"img","runtime":"kept","command":"c d","args":["e"]}' "$M_ARGS"
	reg_err auth bad '{"sha256":"31","command":"c","runtime":"kept","version":"x"}' \
	    "$(bad_version x)"
	# A refused re-registration keeps the old reference.
	put_runtime new '{}'
	reg_ok auth keep '{"sha256":"31","oci_image":"img","runtime":"kept"}'
	reg_err auth keep '{"sha256":"zz","oci_image":"img","runtime":"new"}' \
	    "$(bad_hex zz "invalid byte: U+007A 'z'")"
	del_runtime new
	expect 204 ""
	del_runtime kept
	expect 400 "$(refused kept keep)"
	del_plugin auth keep
	del_runtime kept
	expect 204 ""
}

# ------------------------------------------------------------------ race

# race_req OUT METHOD PATH [curl args...]: one request as root; the status
# goes to OUT.code, the body to OUT.body ("000" when curl gave up).
race_req() {
	local out=$1 method=$2 path=$3
	shift 3
	curl -s -o "$out.body" -w '%{http_code}' --max-time 30 -X "$method" \
	    -H "X-Vault-Token: $ROOT_TOKEN" "$@" "$BASE/$path" >"$out.code"
}

# For each pair i: runtime r_i is registered; then, at the same time,
# (a) a plugin with oci_image naming r_i is registered and (b) r_i is
# deleted.  Serialised, exactly one of them wins: plugin 204 + delete 400
# (referenced), or delete 204 + plugin 400 (no such runtime).  Pairs run
# in waves so that at most 2*WAVE requests are in flight.
test_race_register_vs_delete_runtime() {
	local n=100 wave=25 dir=$TMPROOT/race start i id pc dc gp gr
	local -a pids
	local plugin_first=0 delete_first=0 both_ok=0 both_refused=0 other=0
	local dangling=0 t0 t1

	mkdir -p "$dir"
	for ((i = 1; i <= n; i++)); do
		id=$(printf %02d "$i")
		put_runtime "race-r-$id" '{"oci_runtime":"runc"}'
	done

	t0=$(date +%s.%N)
	for ((start = 1; start <= n; start += wave)); do
		pids=()
		for ((i = start; i < start + wave && i <= n; i++)); do
			id=$(printf %02d "$i")
			if ((RANDOM % 2)); then
				race_req "$dir/p$id" PUT "$PC/secret/race-p-$id" \
				    --data "{\"sha256\":\"31\",\"oci_image\":\"img:$id\",\"runtime\":\"race-r-$id\"}" &
				pids+=($!)
				race_req "$dir/d$id" DELETE "$IT/race-r-$id" &
				pids+=($!)
			else
				race_req "$dir/d$id" DELETE "$IT/race-r-$id" &
				pids+=($!)
				race_req "$dir/p$id" PUT "$PC/secret/race-p-$id" \
				    --data "{\"sha256\":\"31\",\"oci_image\":\"img:$id\",\"runtime\":\"race-r-$id\"}" &
				pids+=($!)
			fi
		done
		wait "${pids[@]}"
	done
	t1=$(date +%s.%N)

	for ((i = 1; i <= n; i++)); do
		id=$(printf %02d "$i")
		pc=$(cat "$dir/p$id.code" 2>/dev/null)
		dc=$(cat "$dir/d$id.code" 2>/dev/null)
		case "$pc/$dc" in
		204/400) plugin_first=$((plugin_first + 1)) ;;
		400/204) delete_first=$((delete_first + 1)) ;;
		204/204) both_ok=$((both_ok + 1)) ;;
		400/400) both_refused=$((both_refused + 1)) ;;
		*) other=$((other + 1)) ;;
		esac
		assertTrue "pair $id: plugin answer is 204 or 400, got '$pc': $(cat "$dir/p$id.body" 2>/dev/null)" \
		    "[ '$pc' = 204 ] || [ '$pc' = 400 ]"
		assertTrue "pair $id: runtime delete answer is 204 or 400, got '$dc': $(cat "$dir/d$id.body" 2>/dev/null)" \
		    "[ '$dc' = 204 ] || [ '$dc' = 400 ]"
		# Exact bodies of each outcome.
		if [ "$pc" = 400 ]; then
			assertEquals "pair $id: plugin refusal" \
			    "$(errjson "$(no_runtime "race-r-$id")")" \
			    "$(cat "$dir/p$id.body")"
		elif [ "$pc" = 204 ]; then
			assertEquals "pair $id: plugin 204 has no body" 0 \
			    "$(wc -c <"$dir/p$id.body")"
		fi
		if [ "$dc" = 400 ]; then
			assertEquals "pair $id: runtime refusal" \
			    "$(refused "race-r-$id" "race-p-$id")" \
			    "$(cat "$dir/d$id.body")"
		elif [ "$dc" = 204 ]; then
			assertEquals "pair $id: runtime 204 has no body" 0 \
			    "$(wc -c <"$dir/d$id.body")"
		fi
		# The stored state agrees with the answers.
		call GET "$PC/secret/race-p-$id"
		gp=$STATUS
		gr=$(runtime_status "race-r-$id")
		assertEquals "pair $id: plugin stored iff its registration answered 204 ($pc/$dc)" \
		    "$([ "$pc" = 204 ] && echo 200 || echo 404)" "$gp"
		assertEquals "pair $id: runtime gone iff its delete answered 204 ($pc/$dc)" \
		    "$([ "$dc" = 204 ] && echo 404 || echo 200)" "$gr"
		if [ "$gp" = 200 ] && [ "$gr" != 200 ]; then
			dangling=$((dangling + 1))
		fi
	done

	# No registered plugin anywhere names an absent runtime (oci_image set).
	call GET "$PC"
	assertEquals "$LAST: status" 200 "$STATUS"
	while IFS=$'\t' read -r gp gr; do
		[ -n "$gr" ] || continue
		if [ "$(runtime_status "$gr")" != 200 ]; then
			dangling=$((dangling + 1))
			fail "dangling reference: plugin $gp names missing runtime $gr"
		fi
	done < <(jq -r '.data.detailed[] | select((.oci_image // "") != "") |
	    [.name, (.runtime // "")] | @tsv' "$RAW")

	echo "race: $n pairs in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s:" \
	    "plugin first (204/400) $plugin_first," \
	    "delete first (400/204) $delete_first," \
	    "both 204 $both_ok, both 400 $both_refused, other $other," \
	    "dangling references $dangling"
	assertEquals "dangling references" 0 "$dangling"
	assertEquals "pairs where both answered 204" 0 "$both_ok"
	assertEquals "pairs where both answered 400" 0 "$both_refused"
	assertEquals "pairs with another answer" 0 "$other"
	assertEquals "every pair has one winner" "$n" \
	    "$((plugin_first + delete_first))"
}

. "$SHUNIT2"
