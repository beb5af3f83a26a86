// Parsing for tools that need no concrete syntax tree (`ko check`): the fast parser for clean
// files, else the Langium parser, which the caller supplies lazily so that a check of clean
// sources never loads Langium.
import type { LangiumCoreServices, ParseResult } from 'langium';
import type { KoFile } from './generated/ast.js';
import { parseCleanKo } from './fast-parser.js';
import { PackageIndex } from '../workspace/package-index.js';

export type LangiumServicesGetter = () => Pick<LangiumCoreServices, 'parser'>;

/** The fast parser's AST when the file is clean, else Langium's parse (with its errors). */
export function parseKoText(services: LangiumServicesGetter, text: string): ParseResult<KoFile> {
    const clean = parseCleanKo(text);
    return clean ? { value: clean, lexerErrors: [], parserErrors: [] } : services().parser.LangiumParser.parse<KoFile>(text);
}

/** A package index whose disk files are parsed the same way (not for the editor: no CST). */
export function createCstFreePackageIndex(services: LangiumServicesGetter, roots: readonly string[]): PackageIndex {
    return new PackageIndex((_path, text) => parseKoText(services, text).value, roots);
}
