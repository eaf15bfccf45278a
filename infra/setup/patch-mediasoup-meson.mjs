// Rewrites the mediasoup worker's meson files (in a copy of the worker
// sources) to take its libraries from the system through pkg-config instead
// of subproject() calls, which download their sources.
//
// Usage: node patch-mediasoup-meson.mjs <worker-dir>

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const workerDir = process.argv[2];

if (!workerDir) {
	throw new TypeError('usage: patch-mediasoup-meson.mjs <worker-dir>');
}

// The subprojects replaced, each by a dictionary that answers the
// get_variable() names the meson files ask for.
const SYSTEM_LIBRARIES = `
# Libraries from the system (pkg-config), in place of downloaded subprojects.
srtp2_system_dep = dependency('libsrtp2')
openssl_proj = { 'openssl_dep': dependency('openssl') }
nlohmann_json_proj = { 'nlohmann_json_dep': dependency('nlohmann_json') }
libuv_proj = { 'libuv_dep': dependency('libuv') }
libsrtp2_proj = {
  'libsrtp2_dep': declare_dependency(
    dependencies: srtp2_system_dep,
    include_directories: include_directories(
      srtp2_system_dep.get_variable(pkgconfig: 'includedir') / 'srtp2',
    ),
  ),
}
usrsctp_proj = { 'usrsctp_dep': dependency('usrsctp') }
abseil_cpp_proj = {
  'absl_container_dep': dependency('absl_flat_hash_map'),
  'absl_strings_dep': dependency('absl_strings'),
  'absl_types_dep': dependency('absl_optional'),
}
catch2_proj = { 'catch2_dep': dependency('catch2-with-main', required: false) }
`;

const REPLACED = [
	'openssl',
	'nlohmann_json',
	'libuv',
	'libsrtp2',
	'usrsctp',
	'abseil_cpp',
	'catch2',
];

function replaceOnce(text, search, replacement, what) {
	if (!text.includes(search)) {
		throw new Error(`mediasoup meson patch: ${what} not found; the worker sources changed`);
	}

	return text.replace(search, replacement);
}

function removeSubprojectCalls(text) {
	let result = text;

	for (const name of REPLACED) {
		const call = new RegExp(`^${name}_proj = subproject\\(\\n[\\s\\S]*?^\\)\\n`, 'm');

		result = result.replace(call, '');
	}

	return result;
}

function patchRoot(text) {
	let result = replaceOnce(
		text,
		"meson_version: '>= 1.1.0'",
		"meson_version: '>= 1.0.1'",
		'meson_version',
	);

	result = removeSubprojectCalls(result);
	result = replaceOnce(
		result,
		"cpp = meson.get_compiler('cpp')\n",
		`cpp = meson.get_compiler('cpp')\n${SYSTEM_LIBRARIES}`,
		'compiler line',
	);

	// Static archives of the subprojects were linked whole; the system
	// libraries come in through the dependencies instead.
	result = result.replace(/^link_whole = \[\n[\s\S]*?^\]\n/m, (block) =>
		block
			.split('\n')
			.filter((line) => !line.includes('_proj.get_variable('))
			.join('\n'),
	);

	return result.replaceAll('_proj.get_variable(', '_proj.get(');
}

function patchLibwebrtc(text) {
	const result = removeSubprojectCalls(text);

	if (result.includes('subproject(')) {
		throw new Error('mediasoup meson patch: libwebrtc still calls subproject()');
	}

	return result.replaceAll('_proj.get_variable(', '_proj.get(');
}

for (const [file, patch] of [
	['meson.build', patchRoot],
	[join('deps', 'libwebrtc', 'meson.build'), patchLibwebrtc],
]) {
	const path = join(workerDir, file);

	writeFileSync(path, patch(readFileSync(path, 'utf8')));
}
