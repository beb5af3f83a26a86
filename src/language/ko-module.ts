// Dependency-injection module for the Ko language: wires the generated parser with Ko's own
// services (scoping, validation). Used by the CLI (core services) and the language server.
import {
    createDefaultCoreModule, createDefaultSharedCoreModule, inject,
    type DeepPartial, type DefaultSharedCoreModuleContext, type LangiumCoreServices,
    type LangiumSharedCoreServices, type Module, type PartialLangiumCoreServices,
} from 'langium';
import { KoGeneratedModule, KoGeneratedSharedModule } from './generated/module.js';

export type KoAddedServices = Record<string, never>;
export type KoServices = LangiumCoreServices & KoAddedServices;

export const KoCoreModule: Module<KoServices, PartialLangiumCoreServices & KoAddedServices> = {};

export function createKoCoreServices(context: DefaultSharedCoreModuleContext): {
    shared: LangiumSharedCoreServices; Ko: KoServices;
} {
    const shared = inject(createDefaultSharedCoreModule(context), KoGeneratedSharedModule);
    const Ko = inject(createDefaultCoreModule({ shared }), KoGeneratedModule, KoCoreModule as Module<KoServices, DeepPartial<KoServices>>);
    shared.ServiceRegistry.register(Ko);
    return { shared, Ko };
}
