// The SARIF 2.1.0 JSON schema's constraints for every object toSarif emits, written out: required
// properties, allowed properties (the schema sets additionalProperties: false on these objects),
// enums and types. Shared by the unit and integration tests; no network (the schema is not fetched).
type Obj = Record<string, unknown>;
const SHAPES: Record<string, { required: string[]; allowed: string[] }> = {
  sarifLog: { required: ['version', 'runs'], allowed: ['$schema', 'version', 'runs', 'inlineExternalProperties', 'properties'] },
  run: {
    required: ['tool'],
    allowed: ['tool', 'invocations', 'conversion', 'language', 'versionControlProvenance', 'originalUriBaseIds', 'artifacts', 'logicalLocations', 'graphs', 'results', 'automationDetails', 'runAggregates', 'baselineGuid', 'redactionTokens', 'defaultEncoding', 'defaultSourceLanguage', 'newlineSequences', 'columnKind', 'externalPropertyFileReferences', 'threadFlowLocations', 'taxonomies', 'addresses', 'translations', 'policies', 'webRequests', 'webResponses', 'specialLocations', 'properties'],
  },
  tool: { required: ['driver'], allowed: ['driver', 'extensions', 'properties'] },
  toolComponent: {
    required: ['name'],
    allowed: ['guid', 'name', 'organization', 'product', 'productSuffix', 'shortDescription', 'fullDescription', 'fullName', 'version', 'semanticVersion', 'dottedQuadFileVersion', 'releaseDateUtc', 'downloadUri', 'informationUri', 'globalMessageStrings', 'notifications', 'rules', 'taxa', 'locations', 'language', 'contents', 'isComprehensive', 'localizedDataSemanticVersion', 'minimumRequiredLocalizedDataSemanticVersion', 'associatedComponent', 'translationMetadata', 'supportedTaxonomies', 'properties'],
  },
  reportingDescriptor: { required: ['id'], allowed: ['id', 'deprecatedIds', 'guid', 'deprecatedGuids', 'name', 'deprecatedNames', 'shortDescription', 'fullDescription', 'messageStrings', 'defaultConfiguration', 'helpUri', 'help', 'relationships', 'properties'] },
  reportingConfiguration: { required: [], allowed: ['enabled', 'level', 'rank', 'parameters', 'properties'] },
  multiformatMessageString: { required: ['text'], allowed: ['text', 'markdown', 'properties'] },
  invocation: {
    required: ['executionSuccessful'],
    allowed: ['commandLine', 'arguments', 'responseFiles', 'startTimeUtc', 'endTimeUtc', 'exitCode', 'ruleConfigurationOverrides', 'notificationConfigurationOverrides', 'toolExecutionNotifications', 'toolConfigurationNotifications', 'exitCodeDescription', 'exitSignalName', 'exitSignalNumber', 'processStartFailureMessage', 'executionSuccessful', 'machine', 'account', 'processId', 'executableLocation', 'workingDirectory', 'environmentVariables', 'stdin', 'stdout', 'stderr', 'stdoutStderr', 'properties'],
  },
  result: {
    required: ['message'],
    allowed: ['ruleId', 'ruleIndex', 'rule', 'kind', 'level', 'message', 'analysisTarget', 'locations', 'guid', 'correlationGuid', 'occurrenceCount', 'partialFingerprints', 'fingerprints', 'stacks', 'codeFlows', 'graphs', 'graphTraversals', 'relatedLocations', 'suppressions', 'baselineState', 'rank', 'attachments', 'hostedViewerUri', 'workItemUris', 'provenance', 'fixes', 'taxa', 'webRequest', 'webResponse', 'properties'],
  },
  message: { required: [], allowed: ['text', 'markdown', 'id', 'arguments', 'properties'] },
  location: { required: [], allowed: ['id', 'physicalLocation', 'logicalLocations', 'message', 'annotations', 'relationships', 'properties'] },
  physicalLocation: { required: [], allowed: ['address', 'artifactLocation', 'region', 'contextRegion', 'properties'] },
  artifactLocation: { required: [], allowed: ['uri', 'uriBaseId', 'index', 'description', 'properties'] },
  logicalLocation: { required: [], allowed: ['name', 'index', 'fullyQualifiedName', 'decoratedName', 'parentIndex', 'kind', 'properties'] },
};
const LEVELS = ['none', 'note', 'warning', 'error'];
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUri = (v: unknown): boolean => typeof v === 'string' && URL.canParse(v);
const isDateTime = (v: unknown): boolean => typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v);

/** Every violation of the constraints above, as `path: problem` (empty when the log conforms). */
export function validateSarif(log: unknown): string[] {
  const errors: string[] = [];
  const shape = (v: unknown, kind: string, at: string): v is Obj => {
    if (!isObj(v)) return void errors.push(`${at}: expected an object (${kind})`), false;
    const s = SHAPES[kind]!;
    for (const r of s.required) if (!(r in v)) errors.push(`${at}: missing required "${r}"`);
    for (const k of Object.keys(v)) if (!s.allowed.includes(k)) errors.push(`${at}: "${k}" is not allowed on ${kind}`);
    if ('properties' in v && !isObj(v.properties)) errors.push(`${at}.properties: expected a property bag`);
    if (isObj(v.properties) && 'tags' in v.properties) {
      const tags = v.properties.tags;
      if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string') || new Set(tags).size !== tags.length) errors.push(`${at}.properties.tags: unique strings`);
    }
    return true;
  };
  const text = (v: unknown, at: string) => shape(v, 'multiformatMessageString', at) && typeof v.text !== 'string' && errors.push(`${at}.text: string`);
  if (!shape(log, 'sarifLog', '$')) return errors;
  if (log.version !== '2.1.0') errors.push('$.version: must be "2.1.0"');
  if (!isUri(log.$schema)) errors.push('$.$schema: uri');
  if (!Array.isArray(log.runs) || log.runs.length !== 1) return [...errors, '$.runs: exactly one run expected'];
  const run = log.runs[0];
  if (!shape(run, 'run', '$.runs[0]')) return errors;
  if (!shape(run.tool, 'tool', '$.runs[0].tool') || !shape(run.tool.driver, 'toolComponent', '$.runs[0].tool.driver')) return errors;
  const driver = run.tool.driver;
  if (typeof driver.name !== 'string') errors.push('driver.name: string');
  if (!isUri(driver.informationUri)) errors.push('driver.informationUri: uri');
  const rules = Array.isArray(driver.rules) ? driver.rules : [];
  const ids = new Set<string>();
  rules.forEach((r: unknown, i: number) => {
    const at = `driver.rules[${i}]`;
    if (!shape(r, 'reportingDescriptor', at)) return;
    if (typeof r.id !== 'string') errors.push(`${at}.id: string`);
    if (ids.has(r.id as string)) errors.push(`${at}.id: duplicate`);
    ids.add(r.id as string);
    text(r.shortDescription, `${at}.shortDescription`);
    text(r.help, `${at}.help`);
    if (shape(r.defaultConfiguration, 'reportingConfiguration', `${at}.defaultConfiguration`) && !LEVELS.includes(r.defaultConfiguration.level as string)) errors.push(`${at}.defaultConfiguration.level: enum`);
  });
  for (const [i, inv] of (Array.isArray(run.invocations) ? run.invocations : []).entries()) {
    const at = `invocations[${i}]`;
    if (!shape(inv, 'invocation', at)) continue;
    if (typeof inv.executionSuccessful !== 'boolean') errors.push(`${at}.executionSuccessful: boolean`);
    for (const k of ['startTimeUtc', 'endTimeUtc']) if (k in inv && !isDateTime(inv[k])) errors.push(`${at}.${k}: date-time`);
  }
  if (!Array.isArray(run.results)) return [...errors, 'results: array expected'];
  run.results.forEach((res: unknown, i: number) => {
    const at = `results[${i}]`;
    if (!shape(res, 'result', at)) return;
    if (!LEVELS.includes(res.level as string)) errors.push(`${at}.level: enum`);
    if (!shape(res.message, 'message', `${at}.message`) || (typeof res.message.text !== 'string' && typeof res.message.id !== 'string')) errors.push(`${at}.message: needs text or id`);
    if (!Number.isInteger(res.ruleIndex) || (res.ruleIndex as number) < -1) errors.push(`${at}.ruleIndex: integer >= -1`);
    else if ((rules[res.ruleIndex as number] as Obj | undefined)?.id !== res.ruleId) errors.push(`${at}.ruleIndex: must point at the rule named by ruleId`);
    if (isObj(res.partialFingerprints) && Object.values(res.partialFingerprints).some((v) => typeof v !== 'string')) errors.push(`${at}.partialFingerprints: strings`);
    (Array.isArray(res.locations) ? res.locations : []).forEach((loc: unknown, j: number) => {
      const la = `${at}.locations[${j}]`;
      if (!shape(loc, 'location', la)) return;
      if (loc.physicalLocation !== undefined && shape(loc.physicalLocation, 'physicalLocation', `${la}.physicalLocation`)) {
        const pl = loc.physicalLocation;
        if (!('artifactLocation' in pl) && !('address' in pl)) errors.push(`${la}.physicalLocation: needs artifactLocation or address`);
        if (shape(pl.artifactLocation, 'artifactLocation', `${la}.physicalLocation.artifactLocation`) && !isUri(pl.artifactLocation.uri)) errors.push(`${la}: artifactLocation.uri must be a URI`);
      }
      for (const [k, ll] of (Array.isArray(loc.logicalLocations) ? loc.logicalLocations : []).entries()) {
        if (shape(ll, 'logicalLocation', `${la}.logicalLocations[${k}]`) && typeof ll.name !== 'string') errors.push(`${la}.logicalLocations[${k}].name: string`);
      }
    });
  });
  return errors;
}
