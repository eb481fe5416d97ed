// The MLTable file (Azure ML's schema): parsing with file:line:column errors (parse-mltable.ts), the
// schema and normalised types (mltable-spec.ts), and the `filter` expression grammar (filter-expression.ts).
// Reading an MLTable's data is in ../tabular.
export * from './filter-expression.js';
export * from './mltable-spec.js';
export * from './parse-mltable.js';
