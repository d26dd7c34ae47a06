import { Link } from "react-router-dom";
import { useTitle } from "../components/use-title";

export function NotFoundPage() {
  useTitle("Not found");
  return (
    <div className="state state-empty">
      <h1>Nothing here</h1>
      <p>
        This page does not exist. <Link to="/">Back to the home page</Link>.
      </p>
    </div>
  );
}
