// Renders GraphiQL into #graphiql with the settings the server wrote into
// the element's data attributes. Headers are not persisted in the
// browser's storage, so a pasted token ends with the tab.
(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var settings = root.dataset;
  var fetcher = GraphiQL.createFetcher({ url: settings.endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: settings.query,
      defaultHeaders: settings.headers,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: 'headers',
    })
  );
})();
