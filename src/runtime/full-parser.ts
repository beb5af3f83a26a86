// The Langium parse, for the files the fast parser declines (syntax errors, comments in unusual
// places): the AST plus the syntax errors worded as `ko check` words them, and Langium's
// services for `ko check`. Kept apart so that `ko run` and `ko check` of clean sources never
// load Langium (the CLI build turns this module into a separate bundle required on first use).
import { EmptyFileSystem, GrammarUtils } from 'langium';
import { createKoCoreServices, type KoServices } from '../language/ko-module.js';
import { syntaxErrors } from '../language/ko-analysis.js';
import type { KoFile } from '../language/generated/ast.js';
import type { CstLookups } from '../language/source-spans.js';

/** Langium's CST lookups, for the loader's copy of source-spans when this is a separate bundle. */
export const cstLookups: CstLookups = GrammarUtils;

export interface FullParse {
    ast: KoFile;
    diagnostics: { file: string; line: number; column: number; message: string }[];
}

let services: KoServices | undefined;

/** Langium's services for Ko (made once). */
export function langiumServices(): KoServices {
    return services ??= createKoCoreServices(EmptyFileSystem).Ko;
}

export function parseWithLangium(text: string, displayPath: string): FullParse {
    const ko = langiumServices();
    const result = ko.parser.LangiumParser.parse<KoFile>(text);
    const diagnostics = result.lexerErrors.length + result.parserErrors.length === 0 ? []
        : syntaxErrors(result, text, ko.parser.Lexer).map(d => ({
            file: displayPath, line: d.range.start.line + 1, column: d.range.start.character + 1, message: d.message,
        }));
    return { ast: result.value, diagnostics };
}
