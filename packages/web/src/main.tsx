import { render } from 'preact';
import { Link, Route, Switch } from 'wouter-preact';
import { BuildPage } from './pages/build-page.js';
import { Dashboard } from './pages/dashboard.js';
import { JobPage } from './pages/job-page.js';
import { LoginPage } from './pages/login-page.js';
import { PipelinePage } from './pages/pipeline-page.js';
import { ResourcePage } from './pages/resource-page.js';
import { SessionProvider, useSession } from './session.js';
import './style.css';

function TopBar() {
  const session = useSession();
  return (
    <header class="top-bar">
      <Link href="/" class="brand">
        weir
      </Link>
      <span class="spacer" />
      {session.loggedIn === true ? (
        <button type="button" class="link-button" onClick={() => void session.logout()}>
          log out
        </button>
      ) : session.loggedIn === false ? (
        <Link href={`/login?return=${encodeURIComponent(location.pathname + location.search)}`}>log in</Link>
      ) : null}
    </header>
  );
}

function App() {
  return (
    <SessionProvider>
      <TopBar />
      <main>
        <Switch>
          <Route path="/" component={Dashboard} />
          <Route path="/login" component={LoginPage} />
          <Route path="/pipelines/:pipeline">{(params) => <PipelinePage pipeline={params.pipeline} />}</Route>
          <Route path="/pipelines/:pipeline/jobs/:job">{(params) => <JobPage pipeline={params.pipeline} job={params.job} />}</Route>
          <Route path="/pipelines/:pipeline/resources/:resource">
            {(params) => <ResourcePage pipeline={params.pipeline} resource={params.resource} />}
          </Route>
          <Route path="/builds/:id">{(params) => <BuildPage id={Number(params.id)} />}</Route>
          <Route>
            <p class="error-box">There is no page here. <Link href="/">Back to the dashboard</Link></p>
          </Route>
        </Switch>
      </main>
    </SessionProvider>
  );
}

render(<App />, document.getElementById('app')!);
